package io.parley.media;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Thumbnails with ImageIO and Java2D (blocking). Large images are decoded subsampled (about twice
 * the thumbnail's size, never the full pixel array), scaled down in halving steps (bilinear), then
 * turned by the JPEG's EXIF orientation, read with TwelveMonkeys' metadata reader.
 */
final class Thumbnails {
  private static final float JPEG_QUALITY = 0.85f;
  private final MediaSettings settings;

  Thumbnails(MediaSettings settings) {
    this.settings = settings;
  }

  MediaInspector.Thumbnail make(Path image, boolean jpeg) throws IOException {
    BufferedImage source;
    int width;
    int height;
    try (ImageInputStream in = ImageIO.createImageInputStream(image.toFile())) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new IOException("no image reader for " + image.getFileName());
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        width = reader.getWidth(0);
        height = reader.getHeight(0);
        if ((long) width * height > settings.maxImagePixels()) {
          throw new IOException("image too large: " + width + "x" + height);
        }
        int sub = Math.max(1, Math.max(width, height) / (settings.thumbnailPx() * 2));
        ImageReadParam param = reader.getDefaultReadParam();
        param.setSourceSubsampling(sub, sub, 0, 0);
        source = reader.read(0, param);
      } finally {
        reader.dispose();
      }
    }
    double scale = Math.min(1.0, settings.thumbnailPx() / (double) Math.max(width, height));
    int tw = Math.max(1, (int) Math.round(width * scale));
    int th = Math.max(1, (int) Math.round(height * scale));
    boolean alpha = source.getColorModel().hasAlpha();
    BufferedImage out = orient(scale(source, tw, th, alpha), jpeg ? exifOrientation(image) : 1);

    String format = alpha ? "png" : "jpeg";
    Path parent = image.toAbsolutePath().getParent();
    Path file = Files.createTempFile(parent, "thumb-", alpha ? ".png" : ".jpg");
    try {
      write(out, format, file);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    return new MediaInspector.Thumbnail(file, "image/" + format, out.getWidth(), out.getHeight());
  }

  private static void write(BufferedImage image, String format, Path file) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (format.equals("jpeg")) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(JPEG_QUALITY);
      }
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
  }

  /** {@code src} scaled to {@code w}×{@code h}: halving steps while more than twice as large, then one last step. */
  private static BufferedImage scale(BufferedImage src, int w, int h, boolean alpha) {
    int type = alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
    BufferedImage current = src;
    int cw = src.getWidth();
    int ch = src.getHeight();
    do {
      cw = cw / 2 >= w ? cw / 2 : w;
      ch = ch / 2 >= h ? ch / 2 : h;
      BufferedImage next = new BufferedImage(cw, ch, type);
      Graphics2D g = next.createGraphics();
      try {
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(current, 0, 0, cw, ch, null);
      } finally {
        g.dispose();
      }
      current = next;
    } while (cw != w || ch != h);
    return current;
  }

  /**
   * {@code src} as displayed under EXIF orientation {@code o} (1–8; 6 is "turn 90° clockwise",
   * 8 "90° counter-clockwise", 3 "180°", 2/4/5/7 mirrored variants).
   */
  static BufferedImage orient(BufferedImage src, int o) {
    if (o < 2 || o > 8) {
      return src;
    }
    int w = src.getWidth();
    int h = src.getHeight();
    boolean swap = o >= 5;
    BufferedImage dst = new BufferedImage(swap ? h : w, swap ? w : h, src.getType());
    for (int y = 0; y < dst.getHeight(); y++) {
      for (int x = 0; x < dst.getWidth(); x++) {
        int sx;
        int sy;
        switch (o) {
          case 2 -> { sx = w - 1 - x; sy = y; }
          case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
          case 4 -> { sx = x; sy = h - 1 - y; }
          case 5 -> { sx = y; sy = x; }
          case 6 -> { sx = y; sy = h - 1 - x; }
          case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
          default -> { sx = w - 1 - y; sy = x; } // 8
        }
        dst.setRGB(x, y, src.getRGB(sx, sy));
      }
    }
    return dst;
  }

  /** The EXIF orientation (1–8) of a JPEG, 1 when absent or unreadable. */
  static int exifOrientation(Path jpeg) {
    try (ImageInputStream in = ImageIO.createImageInputStream(jpeg.toFile())) {
      List<JPEGSegment> exif = JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif");
      if (exif.isEmpty()) {
        return 1;
      }
      byte[] data;
      try (InputStream d = exif.get(0).data()) {
        data = d.readNBytes(65536);
      }
      int start = 0;
      while (start < data.length && start < 2 && data[start] == 0) {
        start++; // the pad byte after "Exif\0"
      }
      ImageInputStream tiff = new MemoryCacheImageInputStream(
          new ByteArrayInputStream(data, start, data.length - start));
      Directory directory = new TIFFReader().read(tiff);
      Entry entry = directory.getEntryById(TIFF.TAG_ORIENTATION);
      if (entry != null && entry.getValue() instanceof Number n && n.intValue() >= 1 && n.intValue() <= 8) {
        return n.intValue();
      }
      return 1;
    } catch (IOException | RuntimeException e) {
      return 1;
    }
  }
}
