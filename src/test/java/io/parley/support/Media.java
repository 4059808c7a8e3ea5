package io.parley.support;

import io.vertx.core.buffer.Buffer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import javax.imageio.ImageIO;

/** Uploads made in the test (images, a PDF, HTML; more in {@link MediaFixtures}) and multipart bodies. */
public final class Media {
  private Media() {}

  /** A multipart/form-data body: its Content-Type header value and its bytes. */
  public record Multipart(String contentType, Buffer body) {}

  /** One file in field {@code field}, as a browser sends it (the client's type claim is {@code claimedType}). */
  public static Multipart multipart(String field, String fileName, String claimedType, byte[] bytes) {
    String boundary = "----parley" + UUID.randomUUID().toString().replace("-", "");
    Buffer body = Buffer.buffer()
        .appendString("--" + boundary + "\r\n")
        .appendString("Content-Disposition: form-data; name=\"" + field + "\"; filename=\"" + fileName + "\"\r\n")
        .appendString("Content-Type: " + claimedType + "\r\n\r\n")
        .appendBytes(bytes)
        .appendString("\r\n--" + boundary + "--\r\n");
    return new Multipart("multipart/form-data; boundary=" + boundary, body);
  }

  /** A PNG of {@code width} x {@code height}: left half red, right half blue. */
  public static byte[] png(int width, int height) {
    return encode(MediaFixtures.halves(width, height, BufferedImage.TYPE_INT_RGB), "png");
  }

  /** A JPEG of {@code width} x {@code height}. */
  public static byte[] jpeg(int width, int height) {
    return encode(MediaFixtures.halves(width, height, BufferedImage.TYPE_INT_RGB), "jpeg");
  }

  /** A minimal one-page PDF (PDF 1.4) with a valid cross-reference table. */
  public static byte[] pdf() {
    String[] objects = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"};
    StringBuilder pdf = new StringBuilder("%PDF-1.4\n");
    int[] offsets = new int[objects.length];
    for (int i = 0; i < objects.length; i++) {
      offsets[i] = pdf.length();
      pdf.append(i + 1).append(" 0 obj\n").append(objects[i]).append("\nendobj\n");
    }
    int xref = pdf.length();
    pdf.append("xref\n0 ").append(objects.length + 1).append("\n0000000000 65535 f \n");
    for (int offset : offsets) {
      pdf.append(String.format("%010d 00000 n \n", offset));
    }
    pdf.append("trailer\n<< /Size ").append(objects.length + 1).append(" /Root 1 0 R >>\nstartxref\n").append(xref).append("\n%%EOF\n");
    return pdf.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** An HTML document with a script: what must never be served inline from Parley's origin. */
  public static byte[] html() {
    return "<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(document.cookie)</script></body></html>\n"
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Dimensions of an encoded image. */
  public static int[] size(byte[] encoded) {
    try {
      BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(encoded));
      return new int[] {img.getWidth(), img.getHeight()};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] encode(BufferedImage img, String format) {
    try {
      return MediaFixtures.encode(img, format);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
