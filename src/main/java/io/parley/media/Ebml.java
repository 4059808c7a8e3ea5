package io.parley.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * EBML (RFC 8794) reads for {@link Containers}' WebM probe: element ids and sizes as variable-size
 * integers (§4), from the file ({@link Reader}) or from an element body already read
 * ({@link Cursor}); both bounded, a header or body that does not fit is {@link MalformedException}.
 */
final class Ebml {
  private Ebml() {
  }

  /** A byte source of variable-size integers. */
  abstract static class Source {
    /** The next byte (0..255). */
    abstract int next() throws IOException;

    /** An element id (§5): 1 to 4 bytes, its length marker kept. */
    int id() throws IOException {
      int first = next();
      int length = Integer.numberOfLeadingZeros(first) - 23;
      if (length < 1 || length > 4) {
        throw new MalformedException();
      }
      int id = first;
      for (int i = 1; i < length; i++) {
        id = id << 8 | next();
      }
      return id;
    }

    /** A data size (§6): 1 to 8 bytes, its length marker dropped; -1 when unknown (all value bits set). */
    long vint() throws IOException {
      int first = next();
      int length = Integer.numberOfLeadingZeros(first) - 23;
      if (length < 1 || length > 8) {
        throw new MalformedException();
      }
      long value = first & (0xFF >> length);
      boolean allOnes = value == (0xFF >> length);
      for (int i = 1; i < length; i++) {
        int b = next();
        allOnes &= b == 0xFF;
        value = value << 8 | b;
      }
      return allOnes ? -1 : value;
    }
  }

  /** An EBML element header or body that does not fit. */
  static final class MalformedException extends IOException {
    MalformedException() {
      super("malformed EBML", null);
    }
  }

  /** Sequential EBML reads from the file, within [pos, limit). */
  static final class Reader extends Source {
    private final FileChannel ch;
    long pos;
    long limit;

    Reader(FileChannel ch, long pos, long limit) {
      this.ch = ch;
      this.pos = pos;
      this.limit = limit;
    }

    @Override
    int next() throws IOException {
      if (pos >= limit) {
        throw new MalformedException();
      }
      ByteBuffer one = Containers.read(ch, pos++, 1);
      if (!one.hasRemaining()) {
        throw new MalformedException();
      }
      return one.get() & 0xFF;
    }

    /** The size, or -1 when unknown (all value bits set). */
    long size() throws IOException {
      return vint();
    }

    byte[] body(int size) throws IOException {
      if (size > limit - pos) {
        throw new MalformedException();
      }
      ByteBuffer buf = Containers.read(ch, pos, size);
      if (buf.remaining() != size) {
        throw new MalformedException();
      }
      pos += size;
      byte[] out = new byte[size];
      buf.get(out);
      return out;
    }
  }

  /** EBML reads within a byte array already read (an element's body, at most {@link #MAX_BODY}). */
  static final class Cursor extends Source {
    private final byte[] data;
    private int pos;

    Cursor(byte[] data) {
      this.data = data;
    }

    boolean more() {
      return pos < data.length;
    }

    @Override
    int next() throws MalformedException {
      if (pos >= data.length) {
        throw new MalformedException();
      }
      return data[pos++] & 0xFF;
    }

    /** A child's size, which must fit in what is left of the body (an unknown size does not). */
    int size() throws IOException {
      long value = vint();
      if (value < 0 || value > data.length - pos) {
        throw new MalformedException();
      }
      return (int) value;
    }

    void skip(int size) {
      pos += size;
    }

    byte[] bytes(int size) {
      byte[] out = new byte[size];
      System.arraycopy(data, pos, out, 0, size);
      pos += size;
      return out;
    }

    String string(int size) {
      return new String(bytes(size), StandardCharsets.US_ASCII).replace("\u0000", "");
    }

    long uint(int size) throws IOException {
      if (size > 8) {
        throw new MalformedException();
      }
      long v = 0;
      for (int i = 0; i < size; i++) {
        v = v << 8 | next();
      }
      return v;
    }

    Double floating(int size) throws MalformedException {
      ByteBuffer b = ByteBuffer.wrap(bytes(size));
      return size == 4 ? (double) b.getFloat() : size == 8 ? b.getDouble() : null;
    }
  }
}
