package io.parley.mail;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.util.Date;

/**
 * The development SMTP sink: GreenMail in-process, receiving every mail Parley sends when no
 * SMTP host is configured. Its mail is listed by the web client's development mailbox. All
 * methods block: call them from worker threads.
 */
final class DevSmtpSink {
  private final GreenMail greenMail;

  DevSmtpSink(String host, int port) {
    this.greenMail = new GreenMail(new ServerSetup(port, host, ServerSetup.PROTOCOL_SMTP));
  }

  void start() {
    greenMail.start();
  }

  void stop() {
    greenMail.stop();
  }

  /** Received mail, newest first: [{to, subject, text, received_at}]. */
  JsonArray list() {
    JsonArray out = new JsonArray();
    MimeMessage[] messages = greenMail.getReceivedMessages();
    for (int i = messages.length - 1; i >= 0; i--) {
      MimeMessage m = messages[i];
      try {
        Date received = m.getReceivedDate() != null ? m.getReceivedDate() : m.getSentDate();
        out.add(new JsonObject()
            .put("to", m.getRecipients(Message.RecipientType.TO) == null ? "" : m.getRecipients(Message.RecipientType.TO)[0].toString())
            .put("subject", m.getSubject())
            .put("text", text(m.getContent()))
            .put("received_at", received == null ? null : received.toInstant().toString()));
      } catch (MessagingException | IOException e) {
        out.add(new JsonObject().put("subject", "(unreadable mail)").put("text", e.getMessage()));
      }
    }
    return out;
  }

  private static String text(Object content) throws MessagingException, IOException {
    if (content instanceof String s) {
      return s;
    }
    if (content instanceof Multipart mp) {
      for (int i = 0; i < mp.getCount(); i++) {
        BodyPart part = mp.getBodyPart(i);
        if (part.isMimeType("text/plain")) {
          return part.getContent().toString();
        }
        if (part.getContent() instanceof Multipart nested) {
          String t = text(nested);
          if (!t.isEmpty()) {
            return t;
          }
        }
      }
    }
    return "";
  }
}
