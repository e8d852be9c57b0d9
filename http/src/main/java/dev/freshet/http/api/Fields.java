package dev.freshet.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reading and checking single JSON fields; every failure names the field it is about. */
public final class Fields {

  private Fields() {}

  /**
   * SPEC.md: ids are 1–128 chars of {@code [A-Za-z0-9._:@-]}. A loop rather than a regex: ingest
   * checks up to 1,000 ids per request, and the regex showed up in profiles.
   */
  static boolean isId(String s) {
    if (s == null || s.isEmpty() || s.length() > 128) return false;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      boolean ok =
          (ch >= 'a' && ch <= 'z')
              || (ch >= 'A' && ch <= 'Z')
              || (ch >= '0' && ch <= '9')
              || ch == '.'
              || ch == '_'
              || ch == ':'
              || ch == '@'
              || ch == '-';
      if (!ok) return false;
    }
    return true;
  }

  /** Every request body is a JSON object; anything else is the body's fault, not a field's. */
  public static JsonNode requireObject(JsonNode body) {
    if (!body.isObject()) throw ApiException.invalid("body", "body must be a JSON object");
    return body;
  }

  public static String id(String field, String value) {
    if (value == null || value.isEmpty()) throw ApiException.invalid(field, field + " is required");
    if (!isId(value)) {
      throw ApiException.invalid(field, field + " must be 1-128 characters of [A-Za-z0-9._:@-]");
    }
    return value;
  }

  static String requiredId(JsonNode parent, String name, String field) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) throw ApiException.invalid(field, field + " is required");
    if (!node.isTextual()) throw ApiException.invalid(field, field + " must be a string");
    return id(field, node.textValue());
  }

  static Optional<String> optionalId(JsonNode parent, String name, String field) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) return Optional.empty();
    if (!node.isTextual()) throw ApiException.invalid(field, field + " must be a string");
    return Optional.of(id(field, node.textValue()));
  }

  /** A free-text string of 1..maxLength characters without control characters. */
  public static Optional<String> optionalText(
      JsonNode parent, String name, String field, int maxLength) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) return Optional.empty();
    if (!node.isTextual()) throw ApiException.invalid(field, field + " must be a string");
    return Optional.of(text(field, node.textValue(), maxLength));
  }

  static String text(String field, String value, int maxLength) {
    if (value.isEmpty() || value.length() > maxLength) {
      throw ApiException.invalid(field, field + " must be 1-" + maxLength + " characters");
    }
    storable(field, value);
    return value;
  }

  /**
   * Text the journal and PostgreSQL can keep: no control characters (NUL above all, which a
   * PostgreSQL text or jsonb value cannot hold) and no unpaired UTF-16 surrogate (which has no
   * UTF-8 form, so the journal's serializer refuses the whole event). Checked here, before anything
   * is changed, so that such text is a 400 and never a failed write.
   */
  static String storable(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw ApiException.invalid(field, field + " must not contain control characters");
      }
    }
    return wellFormed(field, value);
  }

  /** {@code value} if every surrogate in it is half of a pair: a lone one has no UTF-8 form. */
  static String wellFormed(String field, String value) {
    if (loneSurrogate(value, 0) >= 0) {
      throw ApiException.invalid(
          field, field + " contains an unpaired UTF-16 surrogate, which is not text");
    }
    return value;
  }

  /**
   * The index of the first surrogate at or after {@code from} that is not half of a pair, or -1.
   */
  static int loneSurrogate(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (Character.isHighSurrogate(ch)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++; // a pair: one supplementary character
      } else if (Character.isSurrogate(ch)) {
        return i;
      }
    }
    return -1;
  }

  static JsonNode requiredArray(JsonNode parent, String name, String field, int maxSize) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) throw ApiException.invalid(field, field + " is required");
    if (!node.isArray()) throw ApiException.invalid(field, field + " must be an array");
    if (node.isEmpty()) throw ApiException.invalid(field, field + " must not be empty");
    if (node.size() > maxSize) {
      throw ApiException.invalid(
          field, field + " has " + node.size() + " entries; at most " + maxSize + " are allowed");
    }
    return node;
  }

  /** ISO-8601 text or epoch milliseconds inside {@code window}; absent means {@code now}. */
  static long timestamp(JsonNode parent, String name, String field, TimeWindow window, long now) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) return now;
    if (node.isIntegralNumber() && node.canConvertToLong())
      return window.check(field, node.longValue(), now);
    if (node.isTextual()) {
      Optional<Instant> at = instant(node.textValue());
      if (at.isPresent()) return window.check(field, at.get(), now);
    }
    throw ApiException.invalid(
        field, field + " must be an ISO-8601 timestamp or epoch milliseconds");
  }

  /** ISO-8601 with {@code Z} or an offset; empty if {@code s} is neither. */
  public static Optional<Instant> instant(String s) {
    try {
      return Optional.of(Instant.parse(s));
    } catch (DateTimeParseException notInstant) {
      try {
        return Optional.of(OffsetDateTime.parse(s).toInstant());
      } catch (DateTimeException e) {
        return Optional.empty();
      }
    }
  }

  /**
   * A query parameter that must be an integer from 1 to {@code max}; absent means {@code absent}.
   */
  public static int boundedInt(String field, String value, int absent, int max) {
    if (value == null) return absent;
    try {
      int n = Integer.parseInt(value);
      if (n >= 1 && n <= max) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.invalid(field, field + " must be an integer from 1 to " + max);
  }
}
