package dev.freshet.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The hostile values {@link HostileRequests} puts into requests: JSON values of every type and
 * range, ids, timestamps, string edits, query values and path segments. Values the contract forbids
 * in a field say so ({@link Hostile#refusedIn}), so that accepting them is caught as well as
 * crashing on them.
 */
final class HostileValues {

  private HostileValues() {}

  /** A hostile value; {@code refusedIn}: the field names where the contract forbids it. */
  record Hostile(String label, Supplier<JsonNode> value, Set<String> refusedIn) {
    Hostile(String label, Supplier<JsonNode> value) {
      this(label, value, Set.of());
    }
  }

  static final Set<String> ID_FIELDS = Set.of("userId", "itemId", "rankingId", "id", "itemIds");
  static final Set<String> TIMES = Set.of("ts", "createdAt");

  record StringEdit(String label, Function<String, String> edit) {}

  static final JsonNodeFactory F = JsonNodeFactory.instance;

  static final List<Hostile> VALUES =
      List.of(
          new Hostile("null", NullNode::getInstance),
          new Hostile("true", () -> BooleanNode.TRUE),
          new Hostile("false", () -> BooleanNode.FALSE),
          new Hostile("0", () -> IntNode.valueOf(0)),
          new Hostile("-1", () -> IntNode.valueOf(-1)),
          new Hostile("1.5", () -> DoubleNode.valueOf(1.5)),
          new Hostile("1e309", () -> AsciiJson.raw("1e309")),
          new Hostile("-1e309", () -> AsciiJson.raw("-1e309")),
          new Hostile("Long.MAX_VALUE", () -> LongNode.valueOf(Long.MAX_VALUE)),
          new Hostile("2^63", () -> AsciiJson.raw("9223372036854775808")),
          new Hostile("-2^63-1", () -> AsciiJson.raw("-9223372036854775809")),
          new Hostile("1e18", () -> LongNode.valueOf(1_000_000_000_000_000_000L)),
          new Hostile("2^31", () -> AsciiJson.raw("2147483648")),
          new Hostile("1E-400", () -> AsciiJson.raw("1E-400")),
          new Hostile("-0", () -> AsciiJson.raw("-0")),
          new Hostile(
              "50-digit decimal",
              () -> AsciiJson.raw("12345678901234567890123456789012345678901234567890.5e-3")),
          new Hostile("empty string", () -> TextNode.valueOf("")),
          new Hostile("10k-char string", () -> TextNode.valueOf("x".repeat(10_000))),
          new Hostile("lone high surrogate", () -> TextNode.valueOf("\ud800")),
          new Hostile("lone low surrogate", () -> TextNode.valueOf("a\udfff")),
          new Hostile("reversed surrogate pair", () -> TextNode.valueOf("\udc00\ud800")),
          new Hostile("NUL", () -> TextNode.valueOf("a\u0000b")),
          new Hostile("control characters", () -> TextNode.valueOf("\u0001\u001f\u007f\u0085")),
          new Hostile("unicode", () -> TextNode.valueOf("\u00e9\u6f22\ud83d\ude42\u202e")),
          new Hostile("line separators", () -> TextNode.valueOf("\u2028\u2029")),
          new Hostile("slash and space", () -> TextNode.valueOf("a b/c")),
          new Hostile("numeric string", () -> TextNode.valueOf("1")),
          new Hostile("empty array", F::arrayNode),
          new Hostile(
              "mixed array",
              () -> F.arrayNode().add(F.nullNode()).add(1).add("a").add(F.objectNode())),
          new Hostile("empty object", F::objectNode),
          new Hostile("operator object", () -> F.objectNode().putNull("$ne")),
          new Hostile(
              "arrays nested 600 deep", () -> AsciiJson.raw("[".repeat(600) + "]".repeat(600))),
          new Hostile(
              "arrays nested 5,000 deep",
              () -> AsciiJson.raw("[".repeat(5_000) + "]".repeat(5_000))),
          new Hostile(
              "objects nested 3,000 deep",
              () -> AsciiJson.raw("{\"a\":".repeat(3_000) + "1" + "}".repeat(3_000))));

  static final List<Hostile> IDS =
      List.of(
          new Hostile("id of 129 characters", () -> TextNode.valueOf("i".repeat(129))),
          new Hostile("id with a space", () -> TextNode.valueOf("fz 1")),
          new Hostile("id with a slash", () -> TextNode.valueOf("fz/1")),
          new Hostile("id with an accent", () -> TextNode.valueOf("fz-\u00e9")),
          new Hostile("id with NUL", () -> TextNode.valueOf("fz-1\u0000")),
          new Hostile("unknown id", () -> TextNode.valueOf("ghost")),
          new Hostile("dot-dot id", () -> TextNode.valueOf("..")),
          new Hostile("id with a newline", () -> TextNode.valueOf("fz-1\n")),
          new Hostile("id with a lone surrogate", () -> TextNode.valueOf("fz-\ud800")),
          new Hostile("id with a percent escape", () -> TextNode.valueOf("fz-1%2F")));

  static List<Hostile> timestamps(long now) {
    Instant nextYear =
        Instant.ofEpochMilli(now).plus(1, ChronoUnit.DAYS).plus(365, ChronoUnit.DAYS);
    // Timestamp in the document: an RFC 3339 date-time or integer epoch millis inside the time
    // window,
    // 2000-01-01 to 5 minutes ahead, for every timestamp field
    return List.of(
        new Hostile("year 0", () -> TextNode.valueOf("0000-01-01T00:00:00Z"), TIMES),
        new Hostile("year +999999999", () -> TextNode.valueOf("+999999999-12-31T23:59:59Z"), TIMES),
        new Hostile("year -999999999", () -> TextNode.valueOf("-999999999-01-01T00:00:00Z"), TIMES),
        new Hostile("year +10000", () -> TextNode.valueOf("+10000-01-01T00:00:00Z"), TIMES),
        new Hostile("year -1", () -> TextNode.valueOf("-0001-01-01T00:00:00Z"), TIMES),
        new Hostile("1e18 epoch millis", () -> LongNode.valueOf(1_000_000_000_000_000_000L), TIMES),
        new Hostile("Long.MAX_VALUE epoch millis", () -> LongNode.valueOf(Long.MAX_VALUE), TIMES),
        new Hostile("-1 epoch millis", () -> IntNode.valueOf(-1), TIMES),
        new Hostile("fractional epoch millis", () -> DoubleNode.valueOf(1.5e12), TIMES),
        new Hostile("tomorrow next year", () -> TextNode.valueOf(nextYear.toString()), TIMES),
        new Hostile(
            "tomorrow next year in epoch millis",
            () -> LongNode.valueOf(nextYear.toEpochMilli()),
            TIMES),
        new Hostile(
            "the last millisecond of 1999",
            () -> TextNode.valueOf("1999-12-31T23:59:59.999Z"),
            TIMES),
        new Hostile("1999 in epoch millis", () -> LongNode.valueOf(946_684_799_999L), TIMES),
        new Hostile("30 February", () -> TextNode.valueOf("2026-02-30T00:00:00Z"), TIMES),
        new Hostile("offset +25:00", () -> TextNode.valueOf("2026-01-01T00:00:00+25:00"), TIMES),
        new Hostile("offset +18:00", () -> TextNode.valueOf("2026-01-01T00:00:00+18:00")),
        new Hostile("no zone", () -> TextNode.valueOf("2026-01-01T00:00:00"), TIMES),
        new Hostile("date only", () -> TextNode.valueOf("2026-01-01"), TIMES),
        new Hostile(
            "hour 24",
            () -> TextNode.valueOf("2026-01-01T24:00:00Z")), // ISO-8601's end of day: next midnight
        new Hostile("leading space", () -> TextNode.valueOf(" 2026-01-01T00:00:00Z"), TIMES),
        new Hostile("1e18 as a double", () -> AsciiJson.raw("1e18"), TIMES));
  }

  static final List<Hostile> ROOTS =
      List.of(
          new Hostile("empty array", F::arrayNode),
          new Hostile("string", () -> TextNode.valueOf("{}")),
          new Hostile("number", () -> IntNode.valueOf(123)),
          new Hostile("null", NullNode::getInstance),
          new Hostile("true", () -> BooleanNode.TRUE),
          new Hostile("empty object", F::objectNode),
          new Hostile(
              "arrays nested 5,000 deep",
              () -> AsciiJson.raw("[".repeat(5_000) + "]".repeat(5_000))));

  static final List<StringEdit> STRING_EDITS =
      List.of(
          new StringEdit("NUL appended", s -> s + "\u0000"),
          new StringEdit("lone high surrogate prepended", s -> "\ud800" + s),
          new StringEdit("lone low surrogate appended", s -> s + "\udc00"),
          new StringEdit(
              "repeated to 10k characters",
              s -> (s.isEmpty() ? "x" : s).repeat(10_000 / Math.max(1, s.length()) + 1)),
          new StringEdit("leading space", s -> " " + s),
          new StringEdit("line separator appended", s -> s + "\u2028"),
          new StringEdit("BEL appended", s -> s + "\u0007"),
          new StringEdit("emoji appended", s -> s + "\ud83d\ude42"),
          new StringEdit("NEL (C1 control) appended", s -> s + "\u0085"),
          new StringEdit("upper-cased", s -> s.toUpperCase(Locale.ROOT)),
          new StringEdit("BOM appended", s -> s + "\ufeff"),
          new StringEdit("65 characters", s -> "s".repeat(65)),
          new StringEdit("129 characters", s -> "s".repeat(129)),
          new StringEdit("percent-encoded", s -> s + "%00%2F"));

  static final String[] QUERY_VALUES = {
    "0",
    "-1",
    "1e9",
    "abc",
    "2147483648",
    "",
    "%ZZ",
    "%00",
    "%",
    "1%00",
    "+5",
    "%205",
    "0x10",
    "5.0",
    "%D9%A3",
    "%EF%BC%95",
    "%C3%28",
    "%ED%A0%80",
    "%u0041",
    "%FF",
    "x".repeat(129),
    "%01",
    "a%0D%0AX-Injected:%201",
    "%2e%2e%2f",
    "true",
    "null",
    "[]",
    "-0",
    "99999999999999999999",
    "fz-1,,fz-2",
    ",",
    "a%20b",
    "%F0%9F%99%82"
  };

  static final String[] BEFORE_VALUES = {
    "0000-01-01T00:00:00Z",
    "%2B999999999-12-31T23:59:59Z",
    "-999999999-01-01T00:00:00Z",
    "garbage",
    "AAAA",
    "1e18",
    "2026-02-30T00:00:00Z",
    "%00"
  };

  static final String[] PATH_VALUES = {
    "a%20b",
    "a$b",
    "%C3%A9",
    "x".repeat(129),
    "a%2Fb",
    "..",
    ".",
    "",
    "%00",
    "%ZZ",
    "%E0%80%80",
    "%2e%2e",
    "fz-1;x=y",
    "%252F",
    "~",
    "*",
    "%20",
    "fz-1%0D%0AX:1",
    "%ED%A0%80",
    "%FF",
    "a%5Cb",
    "%F0%9F%99%82",
    "%7B%7D"
  };
}
