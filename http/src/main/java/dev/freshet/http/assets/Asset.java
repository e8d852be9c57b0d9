package dev.freshet.http.assets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.MediaTypes;

/**
 * One static file the edge serves: its bytes, its type and a strong entity tag (a hash of the
 * bytes), so that browsers revalidate cheaply and never run a stale SDK after an upgrade.
 */
public record Asset(String name, byte[] bytes, ContentType contentType, String etag) {

  public static Asset of(String name, byte[] bytes) {
    return new Asset(name, bytes, typeOf(name), hash(bytes));
  }

  public static Asset of(String name, String text) {
    return of(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The type browsers need to run or apply the file (with {@code nosniff} they refuse a script of
   * another type); unknown kinds are never served as anything but bytes.
   */
  static ContentType typeOf(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".js") || lower.endsWith(".mjs"))
      return ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, HttpCharsets.UTF_8);
    if (lower.endsWith(".css")) return ContentTypes.create(MediaTypes.TEXT_CSS, HttpCharsets.UTF_8);
    if (lower.endsWith(".html")) return ContentTypes.TEXT_HTML_UTF8;
    if (lower.endsWith(".svg")) return MediaTypes.IMAGE_SVG_XML.toContentType();
    if (lower.endsWith(".png")) return MediaTypes.IMAGE_PNG.toContentType();
    if (lower.endsWith(".json")) return ContentTypes.APPLICATION_JSON;
    return ContentTypes.APPLICATION_OCTET_STREAM;
  }

  private static String hash(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
