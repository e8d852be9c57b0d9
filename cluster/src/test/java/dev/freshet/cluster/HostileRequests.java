package dev.freshet.cluster;

import static dev.freshet.cluster.HostileValues.*;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * The fuzz's corpus: from one valid request per documented operation, hostile variants of it, each
 * a {@link Case} with the bytes to send and what the answer may be. Every case is drawn from its
 * own {@code Random(seed, case number)}, so a run is reproducible from its seed and a single case
 * can be generated again by its number.
 */
final class HostileRequests {

  /** Families of mutations, reported separately. */
  enum Kind {
    /** The valid request itself: the fuzz's own sanity check. */
    CONTROL,
    /** Values at a documented limit: still valid, so they must be served. */
    BOUNDARY,
    /** One JSON field (or the whole document) replaced, dropped, duplicated or edited. */
    JSON,
    /** The body's bytes, size, encoding and Content-Type. */
    BODY,
    QUERY,
    PATH,
    HEADER,
    METHOD,
    /** How the message is delimited on the wire: lengths, chunks, versions, line ends. */
    FRAMING
  }

  /** What the answer must be, beyond "no fault". */
  enum Expect {
    /** Anything but a fault: no 5xx, no hang, a 4xx with the error JSON. */
    NO_FAULT,
    /**
     * Exactly the valid request's status: the variant is valid by the contract or by HTTP itself.
     */
    AS_VALID,
    /** A 2xx, whatever the valid request gets (a CORS preflight from an allowed origin). */
    SUCCESS,
    /**
     * A 4xx: the contract forbids the value (an id outside the id alphabet, a timestamp out of
     * range).
     */
    REFUSED
  }

  /**
   * One documented operation and its valid request: the concrete path as segments ({@code params}
   * says which segments are path parameters), the query, the JSON body, the key's scope ({@code
   * null}: public) and the status the valid request gets.
   */
  record Operation(
      String key,
      String method,
      String template,
      List<String> segments,
      Map<String, Integer> params,
      List<String> queryParams,
      String query,
      JsonNode body,
      boolean textPlain,
      String scope,
      int validStatus) {

    String path() {
      return "/" + String.join("/", segments);
    }

    boolean hasBody() {
      return body != null;
    }
  }

  /** The API keys: one per scope, and one that was revoked. */
  record Keys(Map<String, String> byScope, String revoked) {
    /** A key that is valid but lacks {@code scope}. */
    String wrongScopeFor(String scope) {
      return byScope.get(scope.equals("rank") ? "ingest" : "rank");
    }
  }

  /** One generated request and its oracle's parameters. */
  record Case(
      int number,
      Operation op,
      Kind kind,
      String mutation,
      String note,
      String signature,
      RawHttp.Request request,
      boolean head,
      boolean halfClose,
      boolean mayClose,
      String canary,
      Expect expect,
      String jsonPath,
      boolean foreignOrigin) {

    byte[] bytes() {
      return request.bytes();
    }
  }

  static final String FOREIGN_ORIGIN = "https://evil.example";
  static final String ALLOWED_ORIGIN = "https://shop.example.com";

  private final int port;
  private final Keys keys;
  private final long seed;
  private final long now;
  private final List<String> itemIds;
  private final Predicate<String> inCatalog;
  private final Predicate<String> quarantined;

  /**
   * @param itemIds ids of items that stay in the catalog, for boundary batches of existing ids
   * @param inCatalog whether an item id is in the catalog now: valid mutations of {@code POST
   *     /v1/items} add items, so "unknown" must be asked, not assumed
   * @param quarantined signatures that have failed often enough: drawn again instead, so that a
   *     defect answering slowly (a 503 after the ask timeout) does not spend the whole time budget
   */
  HostileRequests(
      int port,
      Keys keys,
      long seed,
      long now,
      List<String> itemIds,
      Predicate<String> inCatalog,
      Predicate<String> quarantined) {
    this.port = port;
    this.keys = keys;
    this.seed = seed;
    this.now = now;
    this.itemIds = itemIds;
    this.inCatalog = inCatalog;
    this.quarantined = quarantined;
  }

  /** The valid request of {@code op}, exactly as every mutation starts from it. */
  RawHttp.Request valid(Operation op) {
    Draft d = new Draft(op, new Random(0), 0);
    d.seal();
    return d.request;
  }

  /**
   * Case {@code number}: an operation, a family and one mutation, drawn from the case's own random.
   */
  Case next(int number, List<Operation> ops) {
    Random rnd = new Random(seed * 1_000_003L + number);
    Case c = null;
    for (int attempt = 0; attempt < 40; attempt++) {
      Operation op = pickOperation(rnd, ops);
      Kind kind = pickKind(rnd, op);
      Draft d = new Draft(op, rnd, number);
      mutate(kind, d);
      c = d.build(kind);
      if (!quarantined.test(c.signature())) return c;
    }
    return c;
  }

  // ---- choosing
  // ------------------------------------------------------------------------------------

  /** Operations with a body weigh three times as much: they have by far the most to get wrong. */
  private static Operation pickOperation(Random rnd, List<Operation> ops) {
    int total = 0;
    for (Operation op : ops) total += op.hasBody() ? 3 : 1;
    int n = rnd.nextInt(total);
    for (Operation op : ops) {
      n -= op.hasBody() ? 3 : 1;
      if (n < 0) return op;
    }
    throw new IllegalStateException();
  }

  private static Kind pickKind(Random rnd, Operation op) {
    int[] weights =
        op.hasBody()
            ? new int[] {2, 7, 36, 12, 5, 5, 14, 7, 12} // CONTROL .. FRAMING, in Kind order
            : new int[] {2, 7, 0, 4, 24, 18, 22, 10, 13};
    int total = 0;
    for (int w : weights) total += w;
    int n = rnd.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      n -= weights[i];
      if (n < 0) return Kind.values()[i];
    }
    throw new IllegalStateException();
  }

  private void mutate(Kind kind, Draft d) {
    switch (kind) {
      case CONTROL -> d.name("valid request", Expect.AS_VALID);
      case BOUNDARY -> boundary(d);
      case JSON -> json(d);
      case BODY -> body(d);
      case QUERY -> query(d);
      case PATH -> path(d);
      case HEADER -> header(d);
      case METHOD -> method(d);
      case FRAMING -> framing(d);
    }
  }

  // ---- the request being built
  // ---------------------------------------------------------------------

  /** A case under construction: the valid request's parts, each open to one mutation. */
  private final class Draft {
    final Operation op;
    final Random rnd;
    final int number;
    final RawHttp.Request request;
    final List<String> segments;
    String query;
    JsonNode json;

    /** The body's final bytes, when a mutation works on bytes rather than on the JSON tree. */
    byte[] bodyBytes;

    String contentType;
    boolean head;
    boolean halfClose;
    boolean mayClose;
    boolean canary = true;

    /** The canary is already in the headers, at a place of the mutation's choosing. */
    boolean canaryPlaced;

    boolean foreignOrigin;
    boolean sealed;
    Expect expect = Expect.NO_FAULT;
    String mutation = "?";

    /** The variable part of the signature (e.g. the JSON path), without case-specific values. */
    String detail = "";

    /**
     * What this case alone has (e.g. the exact bytes), shown with it but not part of its signature.
     */
    String note = "";

    String jsonPath;

    Draft(Operation op, Random rnd, int number) {
      this.op = op;
      this.rnd = rnd;
      this.number = number;
      this.segments = new ArrayList<>(op.segments());
      this.query = op.query();
      this.json = op.body() == null ? null : op.body().deepCopy();
      this.contentType = op.body() == null ? null : "application/json";
      this.request = new RawHttp.Request(op.method(), "");
      request.header("Host", "127.0.0.1:" + port);
      if (op.scope() != null)
        request.header("Authorization", "Bearer " + keys.byScope().get(op.scope()));
      request.header("Connection", "close");
    }

    void name(String mutation, Expect expect) {
      this.mutation = mutation;
      this.expect = expect;
    }

    void name(String mutation) {
      name(mutation, Expect.NO_FAULT);
    }

    String target() {
      return "/" + String.join("/", segments) + (query.isEmpty() ? "" : "?" + query);
    }

    byte[] body() {
      if (bodyBytes != null) return bodyBytes;
      return json == null ? new byte[0] : AsciiJson.bytes(json);
    }

    /**
     * Writes target, Content-Type and body into the request; later mutations edit the bytes
     * themselves.
     */
    void seal() {
      if (sealed) return;
      sealed = true;
      request.target = target();
      byte[] b = body();
      if (contentType != null) request.header("Content-Type", contentType);
      if (op.hasBody() || b.length > 0) request.body(b);
    }

    Case build(Kind kind) {
      seal();
      String id = null;
      if (canary && request.raw == null) {
        id = canaryId(number);
        if (!canaryPlaced)
          request.header(
              "X-Request-Id", id); // last: shows that every header line before it was read
      }
      String signature =
          kind + " " + op.key() + " | " + mutation + (detail.isEmpty() ? "" : " @" + detail);
      return new Case(
          number,
          op,
          kind,
          mutation,
          note,
          signature,
          request,
          head,
          halfClose,
          mayClose,
          id,
          expect,
          jsonPath,
          foreignOrigin);
    }
  }

  /**
   * Every request carries {@code X-Request-Id: fz-case-<n>}, which the edge echoes as its trace id:
   * an answer with another id means a header line was lost or merged into another.
   */
  static String canaryId(int number) {
    return "fz-case-" + number;
  }

  private static void canaryHere(Draft d) {
    d.request.header("X-Request-Id", canaryId(d.number));
    d.canaryPlaced = true;
  }

  // ---- BOUNDARY: documented limits, which must be served
  // -------------------------------------------

  private void boundary(Draft d) {
    List<Runnable> options = new ArrayList<>();
    Operation op = d.op;
    if (op.params().containsKey("userId") && !op.template().startsWith("/v1/shared")) {
      options.add(
          () -> {
            d.segments.set(
                op.params().get("userId"),
                "fz-" + "u".repeat(125)); // 128 characters: the longest id
            d.name("userId of 128 characters", Expect.AS_VALID);
          });
    }
    if (op.queryParams().contains("k")) {
      options.add(
          () -> {
            d.query = setParam(d.query, "k", "200");
            d.name("k=200 (the maximum)", Expect.AS_VALID);
          });
      options.add(
          () -> {
            d.query = setParam(d.query, "k", "1");
            d.name("k=1 (the minimum)", Expect.AS_VALID);
          });
    }
    if (op.queryParams().contains("limit")) {
      options.add(
          () -> {
            d.query = setParam(d.query, "limit", "500");
            d.name("limit=500 (the maximum)", Expect.AS_VALID);
          });
    }
    if (op.queryParams().contains("exclude")) {
      options.add(
          () -> {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) ids.add(itemIds.get(i % itemIds.size()));
            d.query = setParam(d.query, "exclude", String.join(",", ids));
            d.name("exclude of 1,000 ids (the documented maximum)", Expect.AS_VALID);
          });
    }
    if (op.queryParams().contains("explain")) {
      options.add(
          () -> {
            d.query = setParam(d.query, "explain", null);
            d.name("explain without a value", Expect.AS_VALID);
          });
    }
    if (op.hasBody()) {
      for (String[] path : leafPaths(d.json)) {
        String name = path[path.length - 1].replaceAll("\\[\\d+]$", "");
        Supplier<JsonNode> value = boundaryValue(name);
        if (value != null) {
          options.add(
              () -> {
                set(d.json, path, value.get());
                d.jsonPath = display(path);
                d.detail = generalise(d.jsonPath);
                d.name("field at its documented limit", Expect.AS_VALID);
              });
        }
      }
      if (d.json.has("itemIds")) {
        options.add(
            () -> {
              ArrayNode ids = ((ObjectNode) d.json).putArray("itemIds");
              for (int i = 0; i < 1_000; i++) ids.add(itemIds.get(i % itemIds.size()));
              ((ObjectNode) d.json).remove("positions");
              d.name("1,000 item ids (the documented maximum)", Expect.AS_VALID);
            });
      }
      if (d.json.has("events")) {
        options.add(
            () -> {
              ArrayNode events = ((ObjectNode) d.json).putArray("events");
              for (int i = 0; i < 1_000; i++) {
                events
                    .addObject()
                    .put("type", "click")
                    .put("userId", "fz-user-" + (i % 3))
                    .put("itemId", itemIds.get(i % itemIds.size()));
              }
              d.name("1,000 events (the documented maximum)", Expect.AS_VALID);
            });
      }
    }
    if (options.isEmpty()) {
      d.name("valid request", Expect.AS_VALID);
    } else {
      options.get(d.rnd.nextInt(options.size())).run();
    }
  }

  /** Values that API.md or the OpenAPI document allow, at their limits, by field name. */
  private Supplier<JsonNode> boundaryValue(String name) {
    return switch (name) {
      case "surface", "intent" -> () -> TextNode.valueOf("s".repeat(64));
      case "category" -> () -> TextNode.valueOf("c".repeat(128));
      case "categories" -> () -> TextNode.valueOf("c".repeat(128));
      case "tags" -> () -> TextNode.valueOf("t".repeat(64));
      case "name" -> () -> TextNode.valueOf("n".repeat(100));
      case "rankingId" -> () -> TextNode.valueOf("r".repeat(128));
      case "position", "positions" -> () -> IntNode.valueOf(Integer.MAX_VALUE);
      case "value" -> () -> LongNode.valueOf(86_400_000L);
      case "popularity" -> () -> DoubleNode.valueOf(0.0);
      case "ts", "createdAt" ->
          () -> LongNode.valueOf(946_684_800_000L); // 2000-01-01, the time window's start
      case "embedding", "vector" -> () -> DoubleNode.valueOf(Float.MAX_VALUE);
      default -> null;
    };
  }

  // ---- JSON: one field at a time
  // ---------------------------------------------------------------------

  private void json(Draft d) {
    List<String[]> paths = allPaths(d.json);
    List<String[]> times =
        paths.stream().filter(p -> p.length > 0 && TIMES.contains(fieldName(p))).toList();
    List<String[]> ids =
        paths.stream().filter(p -> p.length > 0 && ID_FIELDS.contains(fieldName(p))).toList();
    // timestamps and ids have the most rules (and the most defects so far): each gets a quarter of
    // the cases
    int where = d.rnd.nextInt(4);
    List<String[]> from =
        where == 0 && !times.isEmpty() ? times : where == 1 && !ids.isEmpty() ? ids : paths;
    String[] path = from.get(d.rnd.nextInt(from.size()));
    d.jsonPath = path.length == 0 ? "body" : display(path);
    d.detail = generalise(d.jsonPath);
    int choice = d.rnd.nextInt(100);
    if (path.length == 0) {
      Hostile h = pick(d.rnd, ROOTS);
      d.json = h.value().get();
      // a body that is not an object is the body's fault; in an empty object, any missing field may
      // be named
      d.jsonPath = d.json.isObject() ? null : "body";
      d.name("whole body: " + h.label());
    } else if (choice < 12 && !isIndex(path[path.length - 1])) {
      remove(d.json, path);
      d.name("field dropped");
    } else if (choice < 20) {
      duplicateKey(d, path);
    } else if (choice < 26) {
      extraField(d);
    } else if (choice < 36 && (arrayAt(d.json, path) != null || isIndex(path[path.length - 1]))) {
      arrayMutation(d, path);
    } else if (choice < 52 && d.json.at(pointer(path)).isTextual()) {
      StringEdit edit = pick(d.rnd, STRING_EDITS);
      JsonNode value = TextNode.valueOf(edit.edit().apply(d.json.at(pointer(path)).textValue()));
      set(d.json, path, value);
      d.name(
          "string: " + edit.label(),
          refusedAsId(fieldName(path), value) ? Expect.REFUSED : Expect.NO_FAULT);
    } else {
      Hostile h = pick(d.rnd, valuesFor(d.rnd, path));
      JsonNode value = h.value().get();
      set(d.json, path, value);
      boolean refused =
          h.refusedIn().contains(fieldName(path)) || refusedAsId(fieldName(path), value);
      d.name("value: " + h.label(), refused ? Expect.REFUSED : Expect.NO_FAULT);
    }
  }

  /** The name a value is checked under: its member name, or its array's for an element. */
  private static String fieldName(String[] path) {
    for (int i = path.length - 1; i >= 0; i--) if (!isIndex(path[i])) return path[i];
    return "";
  }

  /**
   * Whether the contract forbids {@code value} in the id field {@code field}: ids are strings of
   * 1-128 characters of [A-Za-z0-9._:@-] (SPEC.md), item ids must be in the catalog, only rankingId
   * is optional.
   */
  private boolean refusedAsId(String field, JsonNode value) {
    if (!ID_FIELDS.contains(field)) return false;
    if (value.isNull()) return !field.equals("rankingId");
    if (!value.isTextual()) return true;
    String id = value.textValue();
    if (!id.matches("[A-Za-z0-9._:@-]{1,128}")) return true;
    return (field.equals("itemId") || field.equals("itemIds")) && !inCatalog.test(id);
  }

  /** Field-specific hostile values half of the time, where the field's name says what it holds. */
  private List<Hostile> valuesFor(Random rnd, String[] path) {
    String name = fieldName(path);
    if (TIMES.contains(name) && rnd.nextInt(10) < 8) return timestamps(now);
    if (ID_FIELDS.contains(name) && rnd.nextBoolean()) return IDS;
    return VALUES;
  }

  private void duplicateKey(Draft d, String[] path) {
    // the tree cannot hold a key twice: insert it into the text, before the key's first occurrence
    String name = path.length == 0 || isIndex(path[path.length - 1]) ? null : path[path.length - 1];
    String text = AsciiJson.write(d.json);
    String key = name == null ? null : AsciiJson.string(name) + ":";
    int at = key == null ? -1 : text.indexOf(key);
    if (at < 0) {
      // no member here (an array element): duplicate the first member of the body instead
      at = text.indexOf('"');
      int end = text.indexOf("\":", at + 1);
      key = text.substring(at, end + 2);
    }
    Hostile h = pick(d.rnd, VALUES);
    d.bodyBytes =
        (text.substring(0, at) + key + AsciiJson.write(h.value().get()) + "," + text.substring(at))
            .getBytes(StandardCharsets.US_ASCII);
    d.name("duplicate key, first value " + h.label());
  }

  private void extraField(Draft d) {
    List<String[]> objects = new ArrayList<>();
    objects.add(new String[0]);
    for (String[] p : allPaths(d.json))
      if (p.length > 0 && d.json.at(pointer(p)).isObject()) objects.add(p);
    String[] at = objects.get(d.rnd.nextInt(objects.size()));
    ObjectNode target = (ObjectNode) (at.length == 0 ? d.json : d.json.at(pointer(at)));
    String[] names = {"fzExtra", "__proto__", "", "constructor", "userId ", "USERID"};
    String name = names[d.rnd.nextInt(names.length)];
    if (target.has(name)) name = name + "2";
    Hostile h = pick(d.rnd, VALUES);
    target.set(name, h.value().get());
    d.jsonPath = display(at) + (at.length == 0 ? "" : ".") + name;
    d.detail = generalise(display(at));
    d.name("extra field " + AsciiJson.string(name) + " = " + h.label());
  }

  private void arrayMutation(Draft d, String[] path) {
    String[] arrayPath = arrayAt(d.json, path) != null ? path : parentOf(path);
    ArrayNode array = (ArrayNode) d.json.at(pointer(arrayPath));
    d.jsonPath = display(arrayPath);
    d.detail = generalise(d.jsonPath);
    switch (d.rnd.nextInt(5)) {
      case 0 -> {
        array.removeAll();
        d.name("array emptied");
      }
      case 1 -> {
        JsonNode first = array.isEmpty() ? TextNode.valueOf("x") : array.get(0);
        array.removeAll();
        for (int i = 0; i < 1_001; i++) array.add(first.deepCopy());
        d.name("array of 1,001 copies of its first element");
      }
      case 2 -> {
        if (!array.isEmpty()) array.add(array.get(0).deepCopy());
        d.name("first element repeated at the end");
      }
      case 3 -> {
        if (!array.isEmpty()) array.remove(d.rnd.nextInt(array.size()));
        d.name("one element dropped");
      }
      default -> {
        Hostile h = pick(d.rnd, VALUES);
        array.add(h.value().get());
        d.name("element appended: " + h.label());
      }
    }
  }

  // ---- BODY: bytes, sizes, encodings and media types
  // ------------------------------------------------

  private void body(Draft d) {
    if (!d.op.hasBody()) {
      bodyOnABodilessRoute(d);
      return;
    }
    byte[] valid = d.body();
    String text = new String(valid, StandardCharsets.US_ASCII);
    d.jsonPath = "body";
    switch (d.rnd.nextInt(16)) {
      case 0 -> {
        byte[][] sequences = {
          {(byte) 0xff},
          {(byte) 0xc3, 0x28},
          {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
          {(byte) 0xc0, (byte) 0xaf},
          {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
          {(byte) 0x80},
          {(byte) 0xe2, (byte) 0x82},
          {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}
        };
        byte[] bad = sequences[d.rnd.nextInt(sequences.length)];
        d.bodyBytes = insertIntoFirstString(valid, bad);
        d.name("invalid UTF-8 inside a string (" + hex(bad) + ")");
      }
      case 1 -> {
        byte[] controls = {0x00, 0x01, 0x1f, 0x0a, 0x09, 0x7f};
        byte c = controls[d.rnd.nextInt(controls.length)];
        d.bodyBytes = insertIntoFirstString(valid, new byte[] {c});
        d.name("raw control character inside a string (" + hex(new byte[] {c}) + ")");
      }
      case 2 -> {
        d.bodyBytes = Arrays.copyOf(valid, d.rnd.nextInt(valid.length));
        d.name("truncated JSON");
      }
      case 3 -> {
        String[] garbage = {" x", "}", "{}", "\u0000", ",", "\n{\"a\":1}", "]", " null"};
        String g = garbage[d.rnd.nextInt(garbage.length)];
        d.bodyBytes = concat(valid, g.getBytes(StandardCharsets.ISO_8859_1));
        d.name("trailing garbage " + AsciiJson.string(g));
      }
      case 4 -> {
        d.bodyBytes = new byte[0];
        d.name("empty body");
      }
      case 5 -> {
        d.bodyBytes = " \r\n\t ".getBytes(StandardCharsets.US_ASCII);
        d.name("whitespace-only body");
      }
      case 6 -> {
        long limit = d.op.template().equals("/v1/items") ? 8L << 20 : 64L << 10;
        String pad = "y".repeat((int) limit + 1);
        d.bodyBytes =
            (text.substring(0, text.length() - 1) + ",\"pad\":\"" + pad + "\"}")
                .getBytes(StandardCharsets.US_ASCII);
        d.name("body over the size limit (" + limit + " bytes)");
      }
      case 7 -> {
        boolean le = d.rnd.nextBoolean();
        d.bodyBytes =
            concat(
                le ? new byte[] {(byte) 0xff, (byte) 0xfe} : new byte[] {(byte) 0xfe, (byte) 0xff},
                new String(valid, StandardCharsets.US_ASCII)
                    .getBytes(le ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE));
        d.name("UTF-16 body with a byte order mark");
      }
      case 8 -> {
        d.bodyBytes = concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, valid);
        d.name("UTF-8 byte order mark");
      }
      case 9 -> {
        String[][] variants = {
          {"comment", "/* c */" + text},
          {"single quotes", text.replaceFirst("\"([^\"]*)\":", "'$1':")},
          {"trailing comma", text.substring(0, text.length() - 1) + ",}"},
          {"NaN", text.substring(0, text.length() - 1) + ",\"n\":NaN}"},
          {"leading zero", text.substring(0, text.length() - 1) + ",\"n\":007}"},
          {"unquoted key", text.replaceFirst("\"([^\"]*)\":", "$1:")}
        };
        String[] v = variants[d.rnd.nextInt(variants.length)];
        d.bodyBytes = v[1].getBytes(StandardCharsets.US_ASCII);
        d.name("not quite JSON: " + v[0]);
      }
      case 10, 11 -> {
        String[] types = {
          "text/plain",
          "application/xml",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/json; charset=utf-16",
          "application/json; charset=\"",
          "}{",
          "application/JSON",
          "application/json;;",
          "*/*",
          "application/vnd.api+json",
          "text/plain; charset=iso-8859-1",
          "application/json, text/plain",
          "",
          "application/json; charset=latin1"
        };
        d.contentType = types[d.rnd.nextInt(types.length)];
        d.jsonPath = "Content-Type";
        boolean sendBeacon =
            d.op.textPlain()
                && (d.contentType.equals("text/plain") || d.contentType.startsWith("text/plain;"));
        d.name(
            "Content-Type " + AsciiJson.string(d.contentType),
            sendBeacon ? Expect.AS_VALID : Expect.NO_FAULT);
      }
      case 12 -> {
        d.contentType = null;
        d.jsonPath = "Content-Type";
        d.name("no Content-Type");
      }
      case 13 -> {
        d.seal();
        d.request.header("Content-Type", "application/xml");
        d.name("two Content-Type headers");
      }
      case 14 -> {
        boolean zipped = d.rnd.nextBoolean();
        if (zipped) d.bodyBytes = gzip(valid);
        d.request.header("Content-Encoding", zipped ? "gzip" : d.rnd.nextBoolean() ? "gzip" : "br");
        d.name(
            zipped
                ? "gzip body with Content-Encoding: gzip"
                : "plain body with a Content-Encoding");
      }
      default -> {
        d.contentType = "application/x-www-form-urlencoded";
        d.bodyBytes =
            "userId=fz-user-0&itemIds=fz-1&consent=true".getBytes(StandardCharsets.US_ASCII);
        d.name("form-encoded body");
      }
    }
  }

  private void bodyOnABodilessRoute(Draft d) {
    switch (d.rnd.nextInt(3)) {
      case 0 -> {
        d.contentType = "application/json";
        d.bodyBytes = "{\"userId\":\"fz-user-0\",\"k\":5}".getBytes(StandardCharsets.US_ASCII);
        d.name("JSON body on a route without one");
      }
      case 1 -> {
        d.contentType = "application/xml";
        d.bodyBytes = "<a>\u0000</a>".getBytes(StandardCharsets.ISO_8859_1);
        d.name("XML body with a NUL on a route without one");
      }
      default -> {
        d.contentType = "application/json";
        d.bodyBytes = "x".repeat(70_000).getBytes(StandardCharsets.US_ASCII);
        d.name("70 KB body on a route without one");
      }
    }
  }

  // ---- QUERY
  // -----------------------------------------------------------------------------------------

  private void query(Draft d) {
    List<String> documented = d.op.queryParams();
    String param = documented.isEmpty() ? "k" : documented.get(d.rnd.nextInt(documented.size()));
    switch (d.rnd.nextInt(8)) {
      case 0, 1, 2 -> {
        String[] values =
            param.equals("before") && d.rnd.nextBoolean() ? BEFORE_VALUES : QUERY_VALUES;
        String value = values[d.rnd.nextInt(values.length)];
        d.query = setParam(d.query, param, value);
        d.detail = param;
        d.name(param + "=" + abbreviate(value, 24));
      }
      case 3 -> {
        d.query =
            (d.query.isEmpty() ? "" : d.query + "&")
                + param
                + "=1&"
                + param
                + "="
                + QUERY_VALUES[d.rnd.nextInt(QUERY_VALUES.length)];
        d.detail = param;
        d.name("repeated parameter " + param);
      }
      case 4 -> {
        String[] unknown = {
          "zz=1", "__proto__=x", "k[]=1", "k.x=1", "=", "&&&", "k", "k==5", "%3D=%3D", ";k=1"
        };
        String u = unknown[d.rnd.nextInt(unknown.length)];
        d.query = (d.query.isEmpty() ? "" : d.query + "&") + u;
        d.name("odd parameter " + u);
      }
      case 5 -> {
        int n = new int[] {1_001, 2_000}[d.rnd.nextInt(2)];
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < n; i++) ids.append(i == 0 ? "" : ",").append("e").append(i);
        d.query = setParam(d.query, "exclude", ids.toString());
        d.name("exclude of " + n + " ids");
      }
      case 6 -> {
        int length = new int[] {1_900, 2_100, 9_000}[d.rnd.nextInt(3)];
        d.query = setParam(d.query, "zz", "q".repeat(length));
        d.name("query parameter of " + length + " characters");
      }
      default -> {
        String[][] syntax = {
          {"fragment", d.query + "#frag"},
          {"double question mark", "?" + d.query},
          {"raw UTF-8 bytes", latin1("k=\u00e9\u6f22")},
          {"raw space", "k=5 6"},
          {"semicolons", "k=5;explain=true"},
          {"plus for space", "category=c+1"},
          {"raw quote and angle brackets", "category=\"<x>\""}
        };
        String[] s = syntax[d.rnd.nextInt(syntax.length)];
        d.query = s[1];
        d.name("query syntax: " + s[0]);
      }
    }
  }

  // ---- PATH
  // ------------------------------------------------------------------------------------------

  private void path(Draft d) {
    List<Integer> params = new ArrayList<>(d.op.params().values());
    Collections.sort(params);
    if (!params.isEmpty() && d.rnd.nextInt(10) < 7) {
      int index = params.get(d.rnd.nextInt(params.size()));
      boolean raw = d.rnd.nextInt(8) == 0;
      String value = raw ? latin1("\u00e9\u6f22") : PATH_VALUES[d.rnd.nextInt(PATH_VALUES.length)];
      d.segments.set(index, value);
      d.detail = "{" + paramName(d.op, index) + "}";
      d.name(
          "path parameter "
              + (raw ? "of raw UTF-8 bytes" : AsciiJson.string(abbreviate(value, 24))));
      return;
    }
    String path = d.op.path();
    String[][] structural = {
      {"trailing slash", path + "/"},
      {"double slash", path.replaceFirst("/", "//")},
      {"upper case", path.toUpperCase(Locale.ROOT)},
      {"dot segment", "/." + path},
      {"dot-dot segment", "/v1/.." + path},
      {"encoded slashes", "/" + path.substring(1).replace("/", "%2F")},
      {"backslashes", path.replace('/', '\\')},
      {"NUL at the end", path + "%00"},
      {"no leading slash", path.substring(1)},
      {"traversal to the admin keys", path + "/../../admin/keys"},
      {"path of 3,000 characters", path + "/" + "p".repeat(3_000)},
      {"path of 1,500 characters", path + "/" + "p".repeat(1_500)},
      {"matrix parameter", path + ";jsessionid=1"}
    };
    String[] s = structural[d.rnd.nextInt(structural.length)];
    d.segments.clear();
    d.segments.add(s[1].startsWith("/") ? s[1].substring(1) : s[1]);
    if (!s[1].startsWith("/")) {
      d.seal();
      d.request.target = s[1] + (d.query.isEmpty() ? "" : "?" + d.query);
    }
    d.name("path: " + s[0]);
  }

  // ---- HEADER
  // ----------------------------------------------------------------------------------------

  private void header(Draft d) {
    String key =
        d.op.scope() == null ? keys.byScope().get("rank") : keys.byScope().get(d.op.scope());
    switch (d.rnd.nextInt(22)) {
      case 0 -> {
        d.request.remove("Authorization");
        d.name("no Authorization");
      }
      case 1 -> {
        String[][] garbled = {
          {"scheme only", "Bearer"},
          {"empty key", "Bearer "},
          {"Basic", "Basic Zm9vOmJhcg=="},
          {"key with a suffix", "Bearer " + key + "x"},
          {"two keys", "Bearer " + key + " " + key},
          {"Token scheme", "Token " + key},
          {"no scheme", key},
          {"well-formed unknown key", "Bearer fsk_" + "A".repeat(43)},
          {"tab after Bearer", "Bearer\t" + key},
          {"key of 7,000 characters", "Bearer " + "k".repeat(7_000)}
        };
        String[] g = garbled[d.rnd.nextInt(garbled.length)];
        d.request.replace("Authorization", g[1]);
        d.name("Authorization: " + g[0]);
      }
      case 2 -> {
        d.request.replace("Authorization", "bearer " + key);
        d.name("Authorization with a lower-case scheme", Expect.AS_VALID);
      }
      case 3 -> {
        d.request.replace("Authorization", latin1("Bearer fsk_\u00e9\u00ff\u0080"));
        d.name("Authorization with bytes 0x80-0xFF");
      }
      case 4 -> {
        boolean validFirst = d.rnd.nextBoolean();
        d.request.remove("Authorization");
        d.request.header("Authorization", validFirst ? "Bearer " + key : "Bearer nope");
        d.request.header("Authorization", validFirst ? "Bearer nope" : "Bearer " + key);
        d.name("two Authorization headers, the " + (validFirst ? "first" : "second") + " valid");
      }
      case 5 -> {
        if (d.op.scope() != null)
          d.request.replace("Authorization", "Bearer " + keys.wrongScopeFor(d.op.scope()));
        d.name("key of another scope");
      }
      case 6 -> {
        d.request.replace("Authorization", "Bearer " + keys.revoked());
        d.name("revoked key");
      }
      case 7 -> {
        d.request.header("Origin", FOREIGN_ORIGIN);
        d.foreignOrigin = true;
        d.name("foreign Origin");
      }
      case 8 -> {
        boolean foreign = d.rnd.nextBoolean();
        d.request.method = "OPTIONS";
        d.request.remove("Authorization");
        d.request.header("Origin", foreign ? FOREIGN_ORIGIN : ALLOWED_ORIGIN);
        d.request.header("Access-Control-Request-Method", d.op.method());
        d.request.header(
            "Access-Control-Request-Headers", "authorization, content-type, idempotency-key");
        d.foreignOrigin = foreign;
        d.name(
            foreign
                ? "CORS preflight from a foreign origin"
                : "CORS preflight from the allowed origin",
            foreign ? Expect.NO_FAULT : Expect.SUCCESS);
      }
      case 9 -> {
        String[] origins = {
          "null",
          "://",
          latin1("https://\u00e9\u00ff.example"),
          "https://shop.example.com.evil.example",
          "HTTPS://SHOP.EXAMPLE.COM",
          "*"
        };
        String o = origins[d.rnd.nextInt(origins.length)];
        d.request.header("Origin", o);
        d.foreignOrigin = !o.equals("HTTPS://SHOP.EXAMPLE.COM");
        d.name("Origin " + AsciiJson.string(o));
      }
      case 10 -> {
        String[][] values = {
          {"empty", ""},
          {"space", " "},
          {"256 characters", "i".repeat(256)},
          {"non-ASCII", latin1("\u00e4")},
          {"inner space", "a b"},
          {"fresh valid key", "fz-idem-" + d.rnd.nextInt(4)}
        };
        String[] v = values[d.rnd.nextInt(values.length)];
        d.request.header("Idempotency-Key", v[1]);
        if (d.rnd.nextInt(4) == 0) d.request.header("Idempotency-Key", "fz-idem-other");
        d.name("Idempotency-Key " + v[0]);
      }
      case 11 -> {
        if (d.rnd.nextBoolean()) {
          d.request.header("X-Fuzz", "h".repeat(9_000));
          d.name("header value of 9,000 bytes");
        } else {
          for (int i = 0; i < 70; i++) d.request.header("X-Fuzz-" + i, "v");
          d.name("70 extra headers");
        }
      }
      case 12 -> {
        String[] values = {
          "999.999.999.999",
          "::::",
          latin1("\u0080\u00ff"),
          "unknown, <script>",
          "1.2.3.4, " + "5.6.7.8, ".repeat(500),
          ""
        };
        String v = values[d.rnd.nextInt(values.length)];
        d.request.header(d.rnd.nextBoolean() ? "X-Forwarded-For" : "Forwarded", v);
        d.name("forwarding header garbage");
      }
      case 13 -> {
        String[] values = {
          "00-" + "0".repeat(32) + "-" + "0".repeat(16) + "-01",
          "zz",
          "00-" + "A".repeat(32) + "-" + "1".repeat(16) + "-01",
          latin1("\u00ff"),
          "t".repeat(5_000),
          "ff-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01-extra"
        };
        d.request.header("traceparent", values[d.rnd.nextInt(values.length)]);
        d.canary = false;
        d.name("traceparent garbage");
      }
      case 14 -> {
        String[] values = {"a b", latin1("\u0080"), "r".repeat(200), "", "<script>"};
        d.request.header("X-Request-Id", values[d.rnd.nextInt(values.length)]);
        d.canary = false;
        d.name("X-Request-Id garbage");
      }
      case 15, 16 -> {
        // half of them end in the lead byte of a 3- or 4-byte UTF-8 sequence, which wants the line
        // end as its continuation
        boolean lead = d.rnd.nextBoolean();
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.writeBytes("v".getBytes(StandardCharsets.US_ASCII));
        for (int i = lead ? 0 : d.rnd.nextInt(3); i >= 0; i--)
          v.write(lead && i == 0 ? 0xe0 + d.rnd.nextInt(24) : 0x80 + d.rnd.nextInt(128));
        byte[] value = v.toByteArray();
        d.request.header("X-Fuzz", value);
        canaryHere(
            d); // right after: whether this line survives shows whether the one above ended where
        // it should
        d.note = hex(Arrays.copyOfRange(value, 1, value.length));
        d.name(
            lead
                ? "header value ending in a UTF-8 lead byte (E0-F7)"
                : "header value with bytes 0x80-0xFF");
      }
      case 17 -> {
        d.request.header("X-Fuzz", "a" + d.request.lineEnd + " folded");
        d.name("obsolete line folding");
      }
      case 18 -> {
        String[][] lines = {
          {"no colon", "X-Broken"},
          {"space in the name", "X Bad"},
          {"empty name", ""},
          {"non-ASCII name", latin1("X-\u00e9")}
        };
        String[] l = lines[d.rnd.nextInt(lines.length)];
        // a null value writes the name alone: a header line without a colon
        d.request.headers.add(
            new RawHttp.Header(l[0].equals("no colon") ? l[1] : l[1] + ": 1", null));
        d.name("malformed header line: " + l[0]);
      }
      case 19 -> {
        String[][] hosts = {
          {"missing", null},
          {"two", "127.0.0.1"},
          {"non-ASCII", latin1("\u00fc.example")},
          {"foreign", "evil.example"},
          {"bad port", "127.0.0.1:99999"},
          {"empty", ""}
        };
        String[] h = hosts[d.rnd.nextInt(hosts.length)];
        if (h[0].equals("two")) d.request.header("Host", h[1]);
        else if (h[1] == null) d.request.remove("Host");
        else d.request.replace("Host", h[1]);
        d.name("Host " + h[0], h[0].equals("foreign") ? Expect.AS_VALID : Expect.NO_FAULT);
      }
      case 20 -> {
        boolean continues = d.rnd.nextBoolean();
        d.request.header("Expect", continues ? "100-continue" : "garbage");
        d.name(
            continues ? "Expect: 100-continue" : "Expect: garbage",
            continues ? Expect.AS_VALID : Expect.NO_FAULT);
      }
      default -> {
        String[][] misc = {
          {"Accept", "application/xml"},
          {"Upgrade", "websocket"},
          {"Upgrade", "h2c"},
          {"Cookie", "a=\u0001;;;=="},
          {"Range", "bytes=0-1"},
          {"Accept-Encoding", "gzip;q=garbage"},
          {"Connection", "keep-alive, close, X-Request-Id"},
          {"Max-Forwards", "-1"},
          {"Content-MD5", "garbage"},
          {"Accept-Charset", "utf-7"}
        };
        String[] m = misc[d.rnd.nextInt(misc.length)];
        d.request.header(m[0], latin1(m[1]));
        d.name("header " + m[0] + ": " + AsciiJson.string(m[1]));
      }
    }
  }

  // ---- METHOD
  // ----------------------------------------------------------------------------------------

  private void method(Draft d) {
    String own = d.op.method();
    switch (d.rnd.nextInt(10)) {
      case 0, 1 -> {
        d.request.method = "HEAD";
        d.head = true;
        d.name("HEAD", own.equals("GET") ? Expect.AS_VALID : Expect.NO_FAULT);
      }
      case 2 -> {
        d.request.method = "OPTIONS";
        d.name("OPTIONS without CORS headers");
      }
      case 3 -> {
        d.request.method = "PATCH";
        d.name("PATCH");
      }
      case 4 -> {
        d.request.method = "TRACE";
        d.name("TRACE");
      }
      case 5 -> {
        d.request.method = own.toLowerCase(Locale.ROOT);
        d.name("lower-case method");
      }
      case 6 -> {
        String[] unknown = {"FUZZ", "ABCDEFGHIJKLMNOPQ", "G\u0000ET", "GET\t", "CONNECT"};
        d.request.method = unknown[d.rnd.nextInt(unknown.length)];
        d.name("unknown method " + AsciiJson.string(d.request.method));
      }
      default -> {
        List<String> others = new ArrayList<>(List.of("GET", "POST", "PUT", "DELETE"));
        others.remove(own);
        d.request.method = others.get(d.rnd.nextInt(others.size()));
        d.name("another documented method (" + d.request.method + ")");
      }
    }
  }

  // ---- FRAMING
  // ---------------------------------------------------------------------------------------

  private void framing(Draft d) {
    d.mayClose = true;
    if (!d.op.hasBody() && d.rnd.nextBoolean()) {
      // body framing needs a body: give the request one, as a client sending garbage would
      d.bodyBytes = "{\"x\":1}".getBytes(StandardCharsets.US_ASCII);
      d.contentType = "application/json";
    }
    d.seal();
    RawHttp.Request r = d.request;
    byte[] body = r.body;
    String eol = r.lineEnd;
    switch (d.rnd.nextInt(31)) {
      case 0 -> {
        r.replace("Content-Length", Integer.toString(body.length / 2));
        d.name("Content-Length smaller than the body");
      }
      case 1 -> {
        r.replace("Content-Length", Integer.toString(body.length + 10));
        d.halfClose = true;
        d.name("Content-Length larger than the body");
      }
      case 2 -> {
        r.header("Transfer-Encoding", "chunked");
        r.body = chunked(body, 7, true);
        d.name("both Content-Length and Transfer-Encoding");
      }
      case 3 -> {
        r.remove("Content-Length").header("Transfer-Encoding", "chunked");
        r.body = RawHttp.ascii("zz" + eol + "abc" + eol + "0" + eol + eol);
        d.name("chunk size that is not hex");
      }
      case 4 -> {
        r.remove("Content-Length").header("Transfer-Encoding", "chunked");
        r.body = chunked(body, 5, false);
        d.halfClose = true;
        d.name("chunked body without its final chunk");
      }
      case 5 -> {
        r.remove("Content-Length").header("Transfer-Encoding", "chunked");
        r.body = concat(RawHttp.ascii(Integer.toHexString(body.length + 100) + eol), body);
        d.halfClose = true;
        d.name("chunk size larger than its data");
      }
      case 6 -> {
        r.remove("Content-Length").header("Transfer-Encoding", "chunked");
        r.body = RawHttp.ascii("FFFFFFFFFFFFFFFFFFFF" + eol + "a" + eol + "0" + eol + eol);
        d.name("chunk size overflowing 64 bits");
      }
      case 7 -> {
        r.remove("Content-Length").header("Transfer-Encoding", "chunked");
        r.body =
            concat(
                RawHttp.ascii(Integer.toHexString(body.length) + ";" + "x".repeat(300) + eol),
                concat(body, RawHttp.ascii(eol + "0" + eol + eol)));
        d.name("chunk extension of 300 characters");
      }
      case 8 -> {
        r.remove("Content-Length").header("Transfer-Encoding", "chunked");
        r.body = chunked(body, 3, true);
        d.mayClose = false;
        d.name("valid chunked body", Expect.AS_VALID);
      }
      case 9 -> {
        String[] lengths = {"-1", "abc", "+10", "1e3", " ", "99999999999999999999"};
        String l = lengths[d.rnd.nextInt(lengths.length)];
        r.replace("Content-Length", l);
        d.halfClose = true;
        d.name("Content-Length " + AsciiJson.string(l));
      }
      case 10 -> {
        r.header("Content-Length", Integer.toString(body.length + 1));
        d.halfClose = true;
        d.name("two different Content-Lengths");
      }
      case 11 -> {
        String[] codings = {
          "gzip", "chunked, chunked", "xchunked", " chunked", "identity", "chunked;q=1"
        };
        String c = codings[d.rnd.nextInt(codings.length)];
        r.remove("Content-Length").header("Transfer-Encoding", c);
        r.body = chunked(body, 4, true);
        d.halfClose = true;
        d.name("Transfer-Encoding " + AsciiJson.string(c));
      }
      case 12 -> {
        // HTTP/1.0 closes after the answer by itself; Host is optional in 1.0, so without it a 400
        // is allowed
        r.version = "HTTP/1.0";
        r.remove("Connection");
        boolean host = d.rnd.nextBoolean();
        if (!host) r.remove("Host");
        d.mayClose = false;
        d.name(
            host ? "HTTP/1.0" : "HTTP/1.0 without Host", host ? Expect.AS_VALID : Expect.NO_FAULT);
      }
      case 13 -> {
        String[] versions = {
          "HTTP/2.0", "HTTP/1.2", "http/1.1", "HTTP/1.1 ", "HTTP/11", "HTTP/1.1\u0000"
        };
        r.version = versions[d.rnd.nextInt(versions.length)];
        d.halfClose = true;
        d.name("version " + AsciiJson.string(r.version));
      }
      case 14 -> {
        r.rawRequestLine = RawHttp.ascii(r.method + " " + r.target);
        d.halfClose = true;
        d.name("request line without a version");
      }
      case 15 -> {
        r.target = "http://127.0.0.1:" + port + r.target;
        d.mayClose = false;
        d.name("absolute-form target", Expect.AS_VALID);
      }
      case 16 -> {
        String[] targets = {
          "http://evil.example" + r.target,
          "*",
          "127.0.0.1:" + port,
          "https://127.0.0.1:" + port + r.target,
          "//" + r.target
        };
        r.target = targets[d.rnd.nextInt(targets.length)];
        d.name("odd request target " + AsciiJson.string(abbreviate(r.target, 30)));
      }
      case 17 -> {
        r.lineEnd = "\n";
        d.name("LF-only line ends");
      }
      case 18 -> {
        r.lineEnd = "\r";
        d.halfClose = true;
        d.name("CR-only line ends");
      }
      case 19 -> {
        r.prefix = RawHttp.ascii("\r\n\r\n");
        d.name("empty lines before the request line");
      }
      case 20 -> {
        r.rawRequestLine = RawHttp.ascii(r.method + "\t" + r.target + "  " + r.version);
        d.name("tabs and double spaces in the request line");
      }
      case 21 -> {
        r.rawRequestLine = RawHttp.ascii(r.method + " " + r.target + "\u0000 " + r.version);
        d.name("NUL in the request line");
      }
      case 22 -> {
        byte[] garbage = new byte[64 + d.rnd.nextInt(512)];
        d.rnd.nextBytes(garbage);
        if (d.rnd.nextBoolean())
          System.arraycopy(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01}, 0, garbage, 0, 6);
        r.raw = garbage;
        d.halfClose = true;
        d.name("binary garbage (or a TLS hello) instead of HTTP");
      }
      case 23 -> {
        // a second request hidden behind the first: with Connection: close it must never be served
        String hidden = hiddenRequest(d, eol);
        r.remove("Content-Length")
            .header("Transfer-Encoding", "chunked")
            .header("Content-Length", "4");
        r.body = concat(RawHttp.ascii("0" + eol + eol), RawHttp.ascii(hidden));
        d.name("request smuggling: Content-Length and chunked disagree");
      }
      case 24 -> {
        byte[] all = r.bytes();
        int headEnd = indexOf(all, RawHttp.ascii(eol + eol));
        r.raw = Arrays.copyOf(all, Math.max(1, headEnd));
        d.canary = false;
        d.halfClose = true;
        d.name("head without its final empty line");
      }
      case 25 -> {
        r.raw = RawHttp.ascii(r.method + " " + r.target + " HTTP/1.1" + eol);
        d.canary = false;
        d.halfClose = true;
        d.name("request line only, then end of stream");
      }
      case 26 -> {
        r.lineEnd = d.rnd.nextBoolean() ? "\n\r" : "\r\r\n";
        d.halfClose = true;
        d.name("mixed line ends " + AsciiJson.string(r.lineEnd));
      }
      case 27 -> {
        r.header("Transfer-Encoding", "chunked");
        r.version = "HTTP/1.0";
        r.body = chunked(body, 4, true);
        r.remove("Content-Length");
        d.halfClose = true;
        d.name("chunked on HTTP/1.0");
      }
      case 28 -> {
        r.remove("Content-Length").header("Transfer-Encoding", "chunked");
        r.body =
            concat(
                chunked(body, 6, false),
                RawHttp.ascii("0" + eol + "X-Trailer: " + "t".repeat(10_000) + eol + eol));
        d.name("chunked body with a 10 KB trailer");
      }
      case 29 -> {
        r.header("Content-Length", Integer.toString(body.length));
        d.name("Content-Length given twice, equal", Expect.NO_FAULT);
      }
      default -> {
        // a keep-alive request whose Content-Length follows a header ending in a UTF-8 lead byte,
        // and whose
        // body is a whole second request: if the lead byte swallows the line end, Content-Length is
        // lost
        // and the body is served as a request of its own
        String hidden = hiddenRequest(d, eol);
        r.remove("Connection").remove("Content-Length");
        r.header("X-Fuzz", new byte[] {'v', (byte) 0xf3});
        r.body(RawHttp.ascii(hidden));
        d.name("request smuggling: a lead byte right before Content-Length");
      }
    }
  }

  /** {@code body} in chunks of {@code size}, with the final zero chunk or without it. */
  private static byte[] chunked(byte[] body, int size, boolean last) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < body.length; i += size) {
      int n = Math.min(size, body.length - i);
      out.writeBytes(RawHttp.ascii(Integer.toHexString(n) + "\r\n"));
      out.write(body, i, n);
      out.writeBytes(RawHttp.ascii("\r\n"));
    }
    if (last) out.writeBytes(RawHttp.ascii("0\r\n\r\n"));
    return out.toByteArray();
  }

  private static <T> T pick(Random rnd, List<T> list) {
    return list.get(rnd.nextInt(list.size()));
  }

  // ---- JSON paths: arrays of member names and "[i]" indexes
  // ------------------------------------------

  private static List<String[]> allPaths(JsonNode root) {
    List<String[]> paths = new ArrayList<>();
    paths.add(new String[0]);
    collect(root, new ArrayList<>(), paths, false);
    return paths;
  }

  private static List<String[]> leafPaths(JsonNode root) {
    List<String[]> paths = new ArrayList<>();
    collect(root, new ArrayList<>(), paths, true);
    return paths;
  }

  private static void collect(
      JsonNode node, List<String> at, List<String[]> into, boolean leavesOnly) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> f : node.properties()) {
        at.add(f.getKey());
        if (!leavesOnly || f.getValue().isValueNode()) into.add(at.toArray(String[]::new));
        collect(f.getValue(), at, into, leavesOnly);
        at.remove(at.size() - 1);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        at.add("[" + i + "]");
        if (!leavesOnly || node.get(i).isValueNode()) into.add(at.toArray(String[]::new));
        collect(node.get(i), at, into, leavesOnly);
        at.remove(at.size() - 1);
      }
    }
  }

  private static boolean isIndex(String segment) {
    return segment.startsWith("[");
  }

  private static int index(String segment) {
    return Integer.parseInt(segment.substring(1, segment.length() - 1));
  }

  private static JsonPointer pointer(String[] path) {
    StringBuilder p = new StringBuilder();
    for (String s : path)
      p.append('/')
          .append(
              isIndex(s) ? Integer.toString(index(s)) : s.replace("~", "~0").replace("/", "~1"));
    return JsonPointer.compile(p.toString());
  }

  private static String[] parentOf(String[] path) {
    return Arrays.copyOf(path, path.length - 1);
  }

  private static ArrayNode arrayAt(JsonNode root, String[] path) {
    JsonNode node = root.at(pointer(path));
    return node.isArray() ? (ArrayNode) node : null;
  }

  private static void set(JsonNode root, String[] path, JsonNode value) {
    JsonNode parent = root.at(pointer(parentOf(path)));
    String last = path[path.length - 1];
    if (isIndex(last)) ((ArrayNode) parent).set(index(last), value);
    else ((ObjectNode) parent).set(last, value);
  }

  private static void remove(JsonNode root, String[] path) {
    ((ObjectNode) root.at(pointer(parentOf(path)))).remove(path[path.length - 1]);
  }

  /** {@code events[1].intent}: how the edge names fields in its errors. */
  static String display(String[] path) {
    StringBuilder out = new StringBuilder();
    for (String s : path) {
      if (!isIndex(s) && out.length() > 0) out.append('.');
      out.append(s);
    }
    return out.toString();
  }

  /** {@code events[].intent}: a path without its indexes, for signatures. */
  static String generalise(String path) {
    return path.replaceAll("\\[\\d+]", "[]");
  }

  // ---- small helpers
  // ---------------------------------------------------------------------------------

  private static String paramName(Operation op, int index) {
    return op.params().entrySet().stream()
        .filter(e -> e.getValue() == index)
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse("?");
  }

  /**
   * {@code query} with {@code name} set to {@code value} ({@code null}: present without a value).
   */
  static String setParam(String query, String name, String value) {
    List<String> parts = new ArrayList<>();
    boolean replaced = false;
    for (String p : query.isEmpty() ? new String[0] : query.split("&")) {
      if (p.equals(name) || p.startsWith(name + "=")) {
        if (!replaced) parts.add(value == null ? name : name + "=" + value);
        replaced = true;
      } else {
        parts.add(p);
      }
    }
    if (!replaced) parts.add(value == null ? name : name + "=" + value);
    return String.join("&", parts);
  }

  /**
   * The UTF-8 bytes of {@code s} as ISO-8859-1 characters: how raw non-ASCII bytes get onto the
   * wire.
   */
  static String latin1(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  private static byte[] insertIntoFirstString(byte[] json, byte[] bytes) {
    String text = new String(json, StandardCharsets.ISO_8859_1);
    int at = text.indexOf(":\"");
    int position = at < 0 ? json.length / 2 : at + 2;
    return concat(
        Arrays.copyOf(json, position),
        concat(bytes, Arrays.copyOfRange(json, position, json.length)));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes)
      out.append(out.length() == 0 ? "" : " ").append(String.format("%02X", b & 0xff));
    return out.toString();
  }

  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…(" + s.length() + ")";
  }

  /**
   * A request to hide behind another one's framing: served, it would answer with its marked
   * X-Request-Id, which the oracle looks for as a sign of smuggling.
   */
  private String hiddenRequest(Draft d, String eol) {
    return "GET /v1/admin/keys HTTP/1.1"
        + eol
        + "Host: x"
        + eol
        + "Authorization: Bearer "
        + keys.byScope().get("admin")
        + eol
        + "X-Request-Id: fz-smuggled-"
        + d.number
        + eol
        + eol;
  }
}
