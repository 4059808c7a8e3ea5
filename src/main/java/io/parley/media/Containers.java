package io.parley.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Small, bounded readers of the two containers browsers record audio in: WebM (EBML, Matroska's
 * subset) and Ogg. They tell audio from video by the tracks/streams declared at the start, and read
 * the duration where the file states it. Every size read from a header is checked against the file
 * and fixed caps; nothing loops without a bound; a malformed file yields the generic type.
 */
final class Containers {
  private Containers() {
  }

  /** A container's content type refined from its bytes, and its duration when known. */
  record Probe(String contentType, Long durationMs) {
  }

  static final int EBML_MAGIC = 0x1A45DFA3;
  private static final int SEGMENT = 0x18538067;
  private static final int CLUSTER = 0x1F43B675;
  private static final int INFO = 0x1549A966;
  private static final int TRACKS = 0x1654AE6B;
  private static final int TRACK_ENTRY = 0xAE;
  private static final int MAX_BODY = 1 << 20;
  private static final int MAX_ELEMENTS = 4096;

  /** True when {@code head} starts with the EBML magic. */
  static boolean isEbml(byte[] head) {
    return head.length >= 4 && ByteBuffer.wrap(head).getInt() == EBML_MAGIC;
  }

  /** True when {@code head} starts with an Ogg page ({@code OggS}). */
  static boolean isOgg(byte[] head) {
    return head.length >= 4 && head[0] == 'O' && head[1] == 'g' && head[2] == 'g' && head[3] == 'S';
  }

  /**
   * WebM/Matroska: {@code audio/webm} when the Tracks declare audio tracks (TrackType 2) and no
   * video track (TrackType 1), else {@code video/webm} (Matroska: {@code audio/x-matroska},
   * {@code video/x-matroska}). Duration = Segment Info Duration × TimecodeScale (ns), when present.
   */
  static Probe webm(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long end = ch.size();
      Ebml.Reader top = new Ebml.Reader(ch, 0, end);
      if (top.id() != EBML_MAGIC) {
        return new Probe("application/octet-stream", null);
      }
      long headerSize = top.size();
      String docType = "matroska";
      if (headerSize > 0 && headerSize <= 4096) {
        Ebml.Cursor header = new Ebml.Cursor(top.body((int) headerSize));
        while (header.more()) {
          int id = header.id();
          int size = header.size();
          if (id == 0x4282) {
            docType = header.string(size);
          } else {
            header.skip(size);
          }
        }
      } else {
        return new Probe("application/octet-stream", null);
      }
      boolean webm = docType.equals("webm");
      boolean audio = false;
      boolean video = false;
      boolean sawTracks = false;
      Long duration = null;
      if (top.id() == SEGMENT) {
        long segSize = top.size();
        long segEnd = segSize < 0 ? end : Math.min(end, top.pos + segSize);
        top.limit = segEnd;
        long scale = 1_000_000;
        Double rawDuration = null;
        boolean sawInfo = false;
        for (int n = 0; n < MAX_ELEMENTS && top.pos < segEnd && !(sawInfo && sawTracks); n++) {
          int id = top.id();
          long size = top.size();
          if (id == CLUSTER || size < 0 || size > segEnd - top.pos) {
            break;
          }
          if ((id == INFO || id == TRACKS) && size <= MAX_BODY) {
            Ebml.Cursor c = new Ebml.Cursor(top.body((int) size));
            if (id == INFO) {
              sawInfo = true;
              while (c.more()) {
                int cid = c.id();
                int csize = c.size();
                if (cid == 0x2AD7B1) {
                  scale = c.uint(csize);
                } else if (cid == 0x4489) {
                  rawDuration = c.floating(csize);
                } else {
                  c.skip(csize);
                }
              }
            } else {
              sawTracks = true;
              while (c.more()) {
                int cid = c.id();
                int csize = c.size();
                if (cid != TRACK_ENTRY) {
                  c.skip(csize);
                  continue;
                }
                Ebml.Cursor entry = new Ebml.Cursor(c.bytes(csize));
                while (entry.more()) {
                  int eid = entry.id();
                  int esize = entry.size();
                  if (eid == 0x83) {
                    long type = entry.uint(esize);
                    video |= type == 1;
                    audio |= type == 2;
                  } else {
                    entry.skip(esize);
                  }
                }
              }
            }
          } else {
            top.pos += size;
          }
        }
        if (rawDuration != null && scale > 0) {
          double ms = rawDuration * scale / 1e6;
          if (ms >= 0 && ms < 1e12) {
            duration = Math.round(ms);
          }
        }
      }
      String family = audio && !video ? "audio/" : "video/";
      return new Probe(family + (webm ? "webm" : "x-matroska"), duration);
    } catch (Ebml.MalformedException e) {
      return new Probe("video/webm", null);
    }
  }

  /**
   * Ogg: {@code audio/ogg} when the streams that begin the file (BOS pages) are audio (Opus,
   * Vorbis, FLAC, Speex) and none is video (Theora, Daala, Dirac), {@code video/ogg} when one is,
   * else {@code application/ogg}. Duration from the last page of the audio stream found in the
   * file's last 128 KiB: (granule − pre-skip) / 48 kHz for Opus, granule / sample rate for Vorbis.
   */
  static Probe ogg(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long end = ch.size();
      long pos = 0;
      boolean audio = false;
      boolean video = false;
      int audioSerial = 0;
      long rate = 0;
      long preSkip = 0;
      for (int n = 0; n < 16 && pos + 27 <= end; n++) {
        ByteBuffer page = read(ch, pos, (int) Math.min(27 + 255, end - pos));
        if (!isOggPage(page) || (page.get(5) & 0x02) == 0) {
          break; // not a beginning-of-stream page: the headers are over
        }
        int segments = page.get(26) & 0xFF;
        if (page.limit() < 27 + segments) {
          break;
        }
        int bodyLength = 0;
        for (int i = 0; i < segments; i++) {
          bodyLength += page.get(27 + i) & 0xFF;
        }
        long bodyAt = pos + 27 + segments;
        ByteBuffer body = read(ch, bodyAt, (int) Math.min(Math.min(bodyLength, 64), end - bodyAt));
        byte[] b = new byte[body.remaining()];
        body.get(b);
        String head = new String(b, StandardCharsets.ISO_8859_1);
        int serial = page.getInt(14);
        if (head.startsWith("OpusHead") && b.length >= 12) {
          if (!audio) {
            audioSerial = serial;
            rate = 48_000;
            preSkip = (b[10] & 0xFF) | (b[11] & 0xFF) << 8;
          }
          audio = true;
        } else if (head.startsWith("\u0001vorbis") && b.length >= 16) {
          if (!audio) {
            audioSerial = serial;
            rate = ByteBuffer.wrap(b, 12, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
          }
          audio = true;
        } else if (head.startsWith("\u007fFLAC") || head.startsWith("Speex   ")) {
          audio = true;
        } else if (head.startsWith("\u0080theora") || head.startsWith("\u0080daala")
            || head.startsWith("\u0000\u0000\u0001\u00b0") || head.startsWith("BBCD")) {
          video = true;
        }
        pos = bodyAt + bodyLength;
      }
      if (video) {
        return new Probe("video/ogg", null);
      }
      if (!audio) {
        return new Probe("application/ogg", null);
      }
      Long duration = null;
      if (rate > 0) {
        Long granule = lastGranule(ch, end, audioSerial);
        if (granule != null && granule - preSkip >= 0) {
          duration = (granule - preSkip) * 1000 / rate;
        }
      }
      return new Probe("audio/ogg", duration);
    }
  }

  private static boolean isOggPage(ByteBuffer page) {
    return page.limit() >= 27 && page.get(0) == 'O' && page.get(1) == 'g' && page.get(2) == 'g'
        && page.get(3) == 'S' && page.get(4) == 0;
  }

  /** The granule position of the last page of stream {@code serial} in the file's last 128 KiB. */
  private static Long lastGranule(FileChannel ch, long end, int serial) throws IOException {
    long from = Math.max(0, end - 128 * 1024);
    ByteBuffer tail = read(ch, from, (int) (end - from));
    for (int i = tail.limit() - 27; i >= 0; i--) {
      if (tail.get(i) == 'O' && tail.get(i + 1) == 'g' && tail.get(i + 2) == 'g' && tail.get(i + 3) == 'S'
          && tail.get(i + 4) == 0 && tail.getInt(i + 14) == serial) {
        long granule = tail.getLong(i + 6);
        if (granule != -1) {
          return granule;
        }
      }
    }
    return null;
  }

  static ByteBuffer read(FileChannel ch, long pos, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(Math.max(0, length)).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (ch.read(buf, pos + buf.position()) < 0) {
        break;
      }
    }
    return buf.flip();
  }
}
