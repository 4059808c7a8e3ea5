package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * Media in the web client, in headless Chromium, two people on two clustered nodes: pictures and
 * audio attached through the composer's file input and seen by the other person as they load
 * through their signed URLs, a refused upload explained on its chip, and an avatar set on the
 * profile page shown in the other person's member list.
 */
@ExtendWith(ClusterExtension.class)
@DisplayName("Media in the web client, in a real browser")
class MediaWebTest {
  @TempDir
  Path files;

  private static String url(TestCluster.Node node) {
    return "http://127.0.0.1:" + node.apiPort() + "/";
  }

  private static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 6);
  }

  /** A creates a group room, B joins it; answers the room id. */
  private static String shareRoom(Browser a, Browser b, String name) {
    a.click("[data-testid=open-new-room]");
    a.type("#new-room-form [name=name]", name);
    a.click("#new-room-form button[type=submit]");
    a.waitText("[data-testid=room-name]", name);
    String roomId = a.find("#room-list li.active [data-testid=room-item]").getAttribute("data-room-id");
    b.click("[data-testid=open-browse]");
    b.type("#browse-form input", name);
    b.click("[data-testid=join][data-room-id='" + roomId + "']");
    b.waitText("[data-testid=room-name]", name);
    return roomId;
  }

  /** Picks a file in a file input, as a person would in the browser's dialog (the input itself is visually hidden). */
  private static void choose(Browser b, String css, Path file) {
    b.waitFor(d -> {
      d.findElement(By.cssSelector(css)).sendKeys(file.toAbsolutePath().toString());
      return true;
    }, "a file chosen in " + css);
  }

  /** Waits until every chip of the composer reads uploaded. */
  private static void uploaded(Browser b, int count) {
    b.waitFor(d -> {
      List<WebElement> chips = b.all("[data-testid=upload]");
      return chips.size() == count && chips.stream().allMatch(c -> "done".equals(c.getAttribute("data-status"))) ? true : null;
    }, count + " upload(s) done");
  }

  /** The natural width of the first image matching {@code css} once it has loaded (0 until then, or if broken). */
  private static long naturalWidth(Browser b, String css) {
    Object w = b.driver.executeScript("const i = document.querySelector(arguments[0]);"
        + " return i && i.complete ? i.naturalWidth : 0;", css);
    return ((Number) w).longValue();
  }

  private static long loadedImage(Browser b, String css) {
    return b.waitFor(d -> {
      long w = naturalWidth(b, css);
      return w > 0 ? w : null;
    }, "the image " + css + " loaded");
  }

  private static Path png(Path dir, String name, int width, int height, Color colour) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(colour);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.WHITE);
    g.fillOval(width / 4, height / 4, width / 2, height / 2);
    g.dispose();
    Path file = dir.resolve(name);
    ImageIO.write(image, "png", file.toFile());
    return file;
  }

  /** A mono 16-bit PCM WAV of a 440 Hz tone. */
  private static Path wav(Path dir, String name, int millis) throws IOException {
    int rate = 8000;
    int samples = rate * millis / 1000;
    ByteBuffer pcm = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < samples; i++) {
      pcm.putShort((short) (Math.sin(2 * Math.PI * 440 * i / rate) * 8000));
    }
    ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
    header.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVE".getBytes())
        .put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
        .putShort((short) 2).putShort((short) 16)
        .put("data".getBytes()).putInt(samples * 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(header.array());
    out.write(pcm.array());
    Path file = dir.resolve(name);
    Files.write(file, out.toByteArray());
    return file;
  }

  private static void sendText(Browser b, String text) {
    b.find("[data-testid=composer-input]").sendKeys(text, Keys.ENTER);
  }

  @Test
  @DisplayName("a picture attached by one person shows as a thumbnail to the other, loaded through its signed URL, and opens in full; pasted and dropped files go too")
  void pictureReachesTheOther(TestCluster cluster) throws IOException {
    String alice = unique("alice");
    String bob = unique("bob");
    Path picture = png(files, "sunset.png", 640, 480, new Color(200, 90, 40));
    try (Browser a = Browser.start(); Browser b = Browser.start()) {
      a.signUp(url(cluster.a()), alice);
      b.signUp(url(cluster.b()), bob);
      shareRoom(a, b, unique("Pictures "));

      choose(a, "[data-testid=attach-input]", picture);
      a.waitFor(d -> a.find("[data-testid=upload] [data-testid=upload-name]").getText().equals("sunset.png") ? true : null,
          "a chip for the picture");
      uploaded(a, 1);
      a.screenshot(Path.of("target", "screenshots", "media-composer.png"));
      sendText(a, "look at this");
      a.waitFor(d -> a.all("[data-testid=upload]").isEmpty() ? true : null, "the chip went with the message");

      // bob's screen, on the other node: the thumbnail, sized before it loaded, really loaded
      String thumb = "[data-testid=messages] [data-testid=message] [data-testid=attachment-image]";
      b.waitFor(d -> b.messageBodies().equals(List.of("look at this")) ? true : null, "the text beside the picture");
      WebElement img = b.find(thumb);
      assertEquals("240", img.getAttribute("width"), "640x480 fitted into 240 px, before it loads");
      assertEquals("180", img.getAttribute("height"));
      assertTrue(img.getAttribute("src").contains("/thumbnail?exp="), "the signed thumbnail URL: " + img.getAttribute("src"));
      assertTrue(loadedImage(b, thumb) > 0);
      assertTrue(loadedImage(a, thumb) > 0, "the sender sees it too");
      b.screenshot(Path.of("target", "screenshots", "media-picture.png"));

      // a click opens the full picture over the page; Escape closes it
      b.click(thumb);
      assertEquals(640, loadedImage(b, "[data-testid=image-overlay] [data-testid=overlay-image]"), "the original, not the thumbnail");
      new Actions(b.driver).sendKeys(Keys.ESCAPE).perform();
      b.waitFor(d -> b.all("[data-testid=image-overlay]").isEmpty() ? true : null, "the overlay closed");

      // an image pasted into the composer and a file dropped onto the room: both go with the next message
      a.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
          + "const canvas = document.createElement('canvas'); canvas.width = 60; canvas.height = 30;"
          + "const g = canvas.getContext('2d'); g.fillStyle = 'teal'; g.fillRect(0, 0, 60, 30);"
          + "canvas.toBlob((blob) => {"
          + "  const pasted = new DataTransfer(); pasted.items.add(new File([blob], 'pasted.png', { type: 'image/png' }));"
          + "  document.querySelector('[data-testid=composer-input]').dispatchEvent("
          + "    new ClipboardEvent('paste', { clipboardData: pasted, bubbles: true, cancelable: true }));"
          + "  const dropped = new DataTransfer(); dropped.items.add(new File(['agenda\\n'], 'dropped.txt', { type: 'text/plain' }));"
          + "  for (const type of ['dragenter', 'dragover', 'drop']) document.querySelector('#room').dispatchEvent("
          + "    new DragEvent(type, { dataTransfer: dropped, bubbles: true, cancelable: true }));"
          + "  done(true);"
          + "}, 'image/png');");
      uploaded(a, 2);
      a.click("[data-testid=send]");
      String second = "[data-testid=messages] [data-testid=message]:last-child ";
      b.waitFor(d -> b.all("[data-testid=messages] [data-testid=message]").size() == 2 ? true : null, "the second message arrived");
      assertTrue(loadedImage(b, second + "[data-testid=attachment-image]") > 0, "the pasted image");
      assertEquals("60", b.find(second + "[data-testid=attachment-image]").getAttribute("width"), "shown at its own size");
      b.waitText(second + "[data-testid=attachment-name]", "dropped.txt");
    }
  }

  @Test
  @DisplayName("audio and other files sent without text reach the other person as a player and a download; a refused upload says why")
  void audioAndFiles(TestCluster cluster) throws IOException {
    String ada = unique("ada");
    String bo = unique("bo");
    Path tone = wav(files, "tone.wav", 1500);
    Path notes = files.resolve("notes <b>1<b> & co.txt");
    Files.writeString(notes, "minutes of the meeting\n".repeat(100));
    Path blob = files.resolve("blob.bin");
    byte[] random = new byte[4096];
    new java.util.Random(7).nextBytes(random);
    Files.write(blob, random);
    try (Browser a = Browser.start(); Browser b = Browser.start()) {
      a.signUp(url(cluster.a()), ada);
      b.signUp(url(cluster.b()), bo);
      shareRoom(a, b, unique("Sounds "));

      // bytes of no allowed type: the chip keeps the server's refusal, and can be removed
      choose(a, "[data-testid=attach-input]", blob);
      String refusal = a.waitFor(d -> {
        List<WebElement> errors = a.all("[data-testid=upload][data-status=failed] [data-testid=upload-error]");
        return errors.isEmpty() || errors.get(0).getText().isBlank() ? null : errors.get(0).getText();
      }, "the refusal on the chip");
      a.click("[data-testid=upload][data-status=failed] [data-testid=upload-cancel]");
      a.waitFor(d -> a.all("[data-testid=upload]").isEmpty() ? true : null, "the failed chip removed (" + refusal + ")");

      // a sound and a text file, no text: one message with two attachments
      choose(a, "[data-testid=attach-input]", tone);
      choose(a, "[data-testid=attach-input]", notes);
      uploaded(a, 2);
      a.click("[data-testid=send]");
      a.waitFor(d -> a.all("[data-testid=upload]").isEmpty() ? true : null, "the chips went with the message");

      String audio = "[data-testid=messages] [data-testid=message] [data-testid=attachment-audio]";
      WebElement player = b.find(audio);
      assertTrue(player.getAttribute("src").contains("/content?exp="), "a signed URL: " + player.getAttribute("src"));
      // the player read the sound's header through that URL
      Number duration = b.waitFor(d -> (Number) b.driver.executeScript(
          "const p = document.querySelector(arguments[0]); return p && p.readyState >= 1 ? p.duration : null;", audio),
          "the audio's metadata loaded");
      assertEquals(1.5, duration.doubleValue(), 0.05);
      WebElement file = b.find("[data-testid=messages] [data-testid=attachment][data-kind=file]");
      assertEquals("notes <b>1<b> & co.txt", file.findElement(By.cssSelector("[data-testid=attachment-name]")).getText(),
          "the file name as text");
      assertTrue(file.getText().contains("KB"), "a human size: " + file.getText());
      assertTrue(file.getAttribute("href").contains("/content?exp="), "a download link");
      assertEquals(0, b.all("[data-testid=messages] b").size(), "no element made of a file name");
      assertEquals(List.of(), b.messageBodies(), "no text, attachments only");
      b.screenshot(Path.of("target", "screenshots", "media-files.png"));
    }
  }

  @Test
  @DisplayName("a voice message recorded with the microphone (a timer runs; Cancel discards) reaches the other person as a player")
  void voiceMessage(TestCluster cluster) {
    String eve = unique("eve");
    String fay = unique("fay");
    try (Browser a = Browser.start(); Browser b = Browser.start()) {
      a.signUp(url(cluster.a()), eve);
      b.signUp(url(cluster.b()), fay);
      shareRoom(a, b, unique("Voices "));

      // a recording cancelled: nothing is sent
      a.click("[data-testid=record]");
      a.find("[data-testid=recording]");
      a.click("[data-testid=rec-cancel]");
      a.waitFor(d -> a.all("[data-testid=recording]").stream().noneMatch(WebElement::isDisplayed) ? true : null, "recording gone");

      // recorded for a second or more (the fake microphone plays a tone), then stopped: sent by itself
      a.click("[data-testid=record]");
      a.waitFor(d -> a.find("[data-testid=rec-timer]").getText().compareTo("0:01") >= 0 ? true : null, "the timer runs");
      a.click("[data-testid=record]");
      String audio = "[data-testid=messages] [data-testid=message] [data-testid=attachment-audio]";
      WebElement player = b.find(audio);
      assertTrue(player.getAttribute("src").contains("/content?exp="), "a signed URL: " + player.getAttribute("src"));
      b.waitFor(d -> (Boolean) b.driver.executeScript(
          "const p = document.querySelector(arguments[0]); return p && p.readyState >= 1 ? true : null;", audio),
          "the recording's metadata loaded");
      assertEquals(1, b.all("[data-testid=messages] [data-testid=message]").size(), "only the stopped recording was sent");
      a.waitFor(d -> a.all("[data-testid=upload]").isEmpty() ? true : null, "no chip left");
    }
  }

  @Test
  @DisplayName("an avatar set on the profile page shows in the other person's member list and beside messages; names and password change there too")
  void avatarOnProfile(TestCluster cluster) throws IOException {
    String cleo = unique("cleo");
    String dan = unique("dan");
    Path face = png(files, "face.png", 500, 500, new Color(40, 120, 200));
    try (Browser c = Browser.start(); Browser d = Browser.start()) {
      c.signUp(url(cluster.a()), cleo);
      d.signUp(url(cluster.b()), dan);
      String room = unique("Faces ");
      shareRoom(c, d, room);
      sendText(c, "hello from cleo");
      d.waitFor(x -> d.messageBodies().equals(List.of("hello from cleo")) ? true : null, "cleo's message");
      d.click("#members-toggle");
      String cleoMember = "[data-testid=member-list] li";
      d.waitFor(x -> d.all(cleoMember).stream().anyMatch(li -> li.getText().contains(cleo)
          && !li.findElements(By.cssSelector("[data-testid=avatar-initials]")).isEmpty()) ? true : null,
          "cleo listed with her initials, no picture yet");

      c.click("[data-testid=profile-link]");
      c.find("[data-testid=profile-view]");
      choose(c, "[data-testid=avatar-input]", face);
      assertEquals(320, loadedImage(c, "[data-testid=profile-avatar] img.avatar"), "the 320 px thumbnail as avatar");
      assertTrue(loadedImage(c, "[data-testid=me-avatar] img.avatar") > 0, "in the sidebar's header too");
      c.screenshot(Path.of("target", "screenshots", "media-profile.png"));

      // dan, after a reload: cleo's picture in the member list and beside her message
      d.open(url(cluster.b()));
      d.waitText("[data-testid=conn-status]", "connected");
      d.click("[data-testid=room-list] [data-testid=room-item]");
      d.waitText("[data-testid=room-name]", room);
      d.click("#members-toggle");
      String cleoId = d.waitFor(x -> d.all(cleoMember).stream().filter(li -> li.getText().contains(cleo))
          .map(li -> li.getAttribute("data-user-id")).findFirst().orElse(null), "cleo in the member list");
      assertTrue(loadedImage(d, "[data-testid=member-list] li[data-user-id='" + cleoId + "'] img.avatar") > 0);
      assertTrue(loadedImage(d, "[data-testid=messages] [data-testid=message] img.avatar[data-user-id='" + cleoId + "']") > 0);
      d.screenshot(Path.of("target", "screenshots", "media-avatars.png"));

      // names: the sidebar follows at once
      String renamed = unique("cleo_");
      c.type("#profile-form [name=username]", renamed);
      c.type("#profile-form [name=first_name]", "Cleo");
      c.click("[data-testid=profile-save]");
      c.waitText("[data-testid=me-name]", renamed);

      // removing the picture brings the initials back
      c.click("[data-testid=avatar-remove]");
      c.waitFor(x -> c.all("[data-testid=profile-avatar] [data-testid=avatar-initials]").size() == 1 ? true : null,
          "initials instead of the picture");
      c.waitText("[data-testid=profile-avatar] [data-testid=avatar-initials]", "C");

      // a new password: the old one no longer logs in, the new one does
      c.type("#password-change-form [name=current_password]", "correct horse");
      c.type("#password-change-form [name=new_password]", "battery staple");
      c.click("[data-testid=password-save]");
      c.waitFor(x -> c.find("[data-testid=notice]").getText().contains("password is changed") ? true : null, "said so");
      c.click("[data-testid=logout]");
      c.type("#login-form [name=email]", cleo + "@example.test");
      c.type("#login-form [name=password]", "battery staple");
      c.click("#login-form button[type=submit]");
      c.waitText("[data-testid=me-name]", renamed);
    }
  }
}
