package io.parley.support;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/** Media files made byte by byte for the tests: images, a WebM, an Ogg Opus, a pixel bomb. */
public final class MediaFixtures {
  private MediaFixtures() {
  }

  /** An image of {@code w}×{@code h}, its left half red and its right half blue. */
  public static BufferedImage halves(int w, int h, int type) {
    BufferedImage img = new BufferedImage(w, h, type);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(0, 0, w / 2, h);
    g.setColor(Color.BLUE);
    g.fillRect(w / 2, 0, w - w / 2, h);
    g.dispose();
    return img;
  }

  public static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, format, out)) {
      throw new IOException("no writer for " + format);
    }
    return out.toByteArray();
  }

  /** {@code jpeg} with an EXIF APP1 segment (big-endian TIFF, one IFD entry: Orientation) after SOI. */
  public static byte[] withExifOrientation(byte[] jpeg, int orientation) {
    ByteBuffer tiff = ByteBuffer.allocate(26).order(ByteOrder.BIG_ENDIAN);
    tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8); // header, IFD0 at 8
    tiff.putShort((short) 1); // one entry
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
    tiff.putInt(0); // no next IFD
    byte[] exif = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
    int length = 2 + exif.length + tiff.capacity();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2); // SOI
    out.write(0xFF);
    out.write(0xE1);
    out.write(length >> 8);
    out.write(length & 0xFF);
    out.writeBytes(exif);
    out.writeBytes(tiff.array());
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  /** A PNG whose IHDR claims {@code w}×{@code h} (valid CRCs) with a tiny IDAT: a decompression bomb's header. */
  public static byte[] pngClaiming(int w, int h) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h)
        .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    Deflater deflater = new Deflater();
    deflater.setInput(new byte[64]);
    deflater.finish();
    byte[] idat = new byte[128];
    int n = deflater.deflate(idat);
    byte[] small = new byte[n];
    System.arraycopy(idat, 0, small, 0, n);
    chunk(out, "IDAT", small);
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  // ---- EBML (WebM) ----

  public static byte[] el(int id, byte[]... children) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] c : children) {
      body.writeBytes(c);
    }
    return el(id, body.toByteArray(), false);
  }

  /** An element; {@code unknownSize} writes the 8-byte "unknown" size, as live recorders do. */
  public static byte[] el(int id, byte[] body, boolean unknownSize) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] idBytes = ByteBuffer.allocate(4).putInt(id).array();
    int skip = 0;
    while (idBytes[skip] == 0) {
      skip++;
    }
    out.write(idBytes, skip, 4 - skip);
    if (unknownSize) {
      out.writeBytes(new byte[] {0x01, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    } else {
      out.write(0x01); // 8-byte size
      out.write(ByteBuffer.allocate(8).putLong(body.length).array(), 1, 7);
    }
    out.writeBytes(body);
    return out.toByteArray();
  }

  public static byte[] uint(int id, long v) {
    return el(id, ByteBuffer.allocate(8).putLong(v).array(), false);
  }

  public static byte[] str(int id, String s) {
    return el(id, s.getBytes(StandardCharsets.US_ASCII), false);
  }

  public static byte[] f64(int id, double v) {
    return el(id, ByteBuffer.allocate(8).putDouble(v).array(), false);
  }

  /** A WebM with the given track types (1 video, 2 audio), a Duration when not null, and one cluster. */
  public static byte[] webm(Double durationMs, int... trackTypes) {
    byte[] header = el(0x1A45DFA3, uint(0x4286, 1), uint(0x42F7, 1), uint(0x42F2, 4), uint(0x42F3, 8),
        str(0x4282, "webm"), uint(0x4287, 4), uint(0x4285, 2));
    byte[] info = durationMs == null
        ? el(0x1549A966, uint(0x2AD7B1, 1_000_000), str(0x4D80, "test"), str(0x5741, "test"))
        : el(0x1549A966, uint(0x2AD7B1, 1_000_000), str(0x4D80, "test"), str(0x5741, "test"), f64(0x4489, durationMs));
    byte[][] entries = new byte[trackTypes.length][];
    for (int i = 0; i < trackTypes.length; i++) {
      entries[i] = el(0xAE, uint(0xD7, i + 1), uint(0x73C5, i + 1), uint(0x83, trackTypes[i]),
          str(0x86, trackTypes[i] == 2 ? "A_OPUS" : "V_VP8"));
    }
    byte[] tracks = el(0x1654AE6B, entries);
    byte[] cluster = el(0x1F43B675, el(0xE7, new byte[] {0}, false), false);
    ByteArrayOutputStream seg = new ByteArrayOutputStream();
    seg.writeBytes(el(0xEC, new byte[16], false)); // a Void element first
    seg.writeBytes(info);
    seg.writeBytes(tracks);
    seg.writeBytes(cluster);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    out.writeBytes(el(0x18538067, seg.toByteArray(), true));
    return out.toByteArray();
  }

  // ---- Ogg ----

  private static final int[] OGG_CRC = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int r = i << 24;
      for (int j = 0; j < 8; j++) {
        r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
      }
      OGG_CRC[i] = r;
    }
  }

  /** One Ogg page holding one packet (under 255 × 255 bytes), with its CRC. */
  public static byte[] oggPage(int headerType, long granule, int serial, int seq, byte[] packet) {
    int segments = packet.length / 255 + 1;
    ByteBuffer page = ByteBuffer.allocate(27 + segments + packet.length).order(ByteOrder.LITTLE_ENDIAN);
    page.put("OggS".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) headerType)
        .putLong(granule).putInt(serial).putInt(seq).putInt(0).put((byte) segments);
    for (int i = 0; i < segments - 1; i++) {
      page.put((byte) 255);
    }
    page.put((byte) (packet.length % 255));
    page.put(packet);
    byte[] bytes = page.array();
    int crc = 0;
    for (byte b : bytes) {
      crc = (crc << 8) ^ OGG_CRC[((crc >>> 24) & 0xFF) ^ (b & 0xFF)];
    }
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(22, crc);
    return bytes;
  }

  /** An Ogg Opus file: OpusHead (pre-skip {@code preSkip}), OpusTags, one audio page ending at {@code granule}. */
  public static byte[] oggOpus(int preSkip, long granule) {
    ByteBuffer head = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
    head.put("OpusHead".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 1)
        .putShort((short) preSkip).putInt(48_000).putShort((short) 0).put((byte) 0);
    ByteBuffer tags = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    tags.put("OpusTags".getBytes(StandardCharsets.US_ASCII)).putInt(4).put("test".getBytes(StandardCharsets.US_ASCII)).putInt(0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int serial = 0x5EED;
    out.writeBytes(oggPage(0x02, 0, serial, 0, head.array()));
    out.writeBytes(oggPage(0x00, 0, serial, 1, tags.array()));
    out.writeBytes(oggPage(0x00, granule / 2, serial, 2, new byte[] {(byte) 0xF8, 1, 2, 3}));
    out.writeBytes(oggPage(0x04, granule, serial, 3, new byte[] {(byte) 0xF8, 4, 5, 6}));
    return out.toByteArray();
  }
}
