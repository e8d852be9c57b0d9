package dev.freshet.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SpecDataTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long NOW = 1_800_000_000_000L;
  private static final SpecData DATA = new SpecData(42, 10_000, "s-", "su-", NOW);

  private static JsonNode parse(byte[] body) throws Exception {
    return JSON.readTree(body);
  }

  @Test
  void catalogHasTwentyCategoriesTwoOrThreeTagsAndTheIdsAsked() {
    int[] perCategory = new int[SpecData.CATEGORIES];
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      SpecData.Item item = DATA.item(i);
      ids.add(item.id());
      int c = DATA.categoryIndexOf(i);
      assertEquals(SpecData.category(c), item.category());
      perCategory[c]++;
      List<String> tags = item.tags();
      assertTrue(tags.size() == 2 || tags.size() == 3, item.toString());
      assertEquals(tags.size(), new HashSet<>(tags).size(), "distinct tags: " + tags);
      assertTrue(tags.stream().allMatch(t -> t.matches("tag-([0-9]|[1-3][0-9])")), tags.toString());
      // the first tag is one of the category's own two
      assertTrue(
          tags.get(0).equals("tag-" + 2 * c) || tags.get(0).equals("tag-" + (2 * c + 1)),
          item.toString());
      assertTrue(item.createdAt() <= NOW && item.createdAt() > NOW - TimeUnit.DAYS.toMillis(30));
    }
    assertEquals(
        IntStream.range(0, 10_000).mapToObj(i -> "s-" + i).collect(Collectors.toSet()), ids);
    assertEquals("cat-00", SpecData.category(0));
    assertEquals("cat-19", SpecData.category(19));
    for (int count : perCategory) {
      assertTrue(
          count >= 400 && count <= 600,
          "about 500 items per category: " + Arrays.toString(perCategory));
    }
  }

  @Test
  void embeddingsAreUnitVectorsNearTheirCategoryCentre() {
    double own = 0;
    double other = 0;
    for (int i = 0; i < 10_000; i++) {
      float[] e = DATA.item(i).embedding();
      assertEquals(16, e.length);
      assertEquals(1.0, Math.sqrt(dot(e, e)), 1e-5);
      for (int c = 0; c < SpecData.CATEGORIES; c++) {
        double cos = dot(e, DATA.centre(c));
        if (c == DATA.categoryIndexOf(i)) {
          own += cos;
        } else {
          other += cos / (SpecData.CATEGORIES - 1);
        }
      }
    }
    assertTrue(own / 10_000 > 0.85, "mean cosine to the own centre " + own / 10_000);
    assertTrue(Math.abs(other / 10_000) < 0.05, "mean cosine to other centres " + other / 10_000);
  }

  @Test
  void popularityIsLongTailed() {
    double[] pops =
        IntStream.range(0, 10_000).mapToDouble(i -> DATA.item(i).popularity()).sorted().toArray();
    double total = Arrays.stream(pops).sum();
    double top20 = Arrays.stream(pops, 8_000, 10_000).sum();
    assertTrue(pops[0] >= 1.0, "min " + pops[0]);
    assertTrue(pops[5_000] < 2.5, "median " + pops[5_000]);
    assertTrue(pops[9_999] > 1_000, "max " + pops[9_999]);
    assertTrue(top20 / total > 0.6, "share of the top 20 % " + top20 / total);
  }

  @Test
  void sameSeedAndTimeGiveTheSameBytesAnotherSeedDoesNot() {
    SpecData again = new SpecData(42, 10_000, "s-", "su-", NOW);
    SpecData other = new SpecData(43, 10_000, "s-", "su-", NOW);
    List<byte[]> a = DATA.itemBodies(0, 10_000);
    List<byte[]> b = again.itemBodies(0, 10_000);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i));
    }
    assertFalse(Arrays.equals(a.get(0), other.itemBodies(0, 1_000).get(0)));
    assertEquals(DATA.user(7, 1_000, 30), again.user(7, 1_000, 30));
    assertNotEquals(DATA.user(7, 1_000, 30).seenItemIds(), other.user(7, 1_000, 30).seenItemIds());
    assertNotEquals(DATA.user(7, 1_000, 30).seenItemIds(), DATA.user(8, 1_000, 30).seenItemIds());
  }

  @Test
  void itemBodiesCarryAThousandItemsEachWithinEightMiB() throws Exception {
    List<byte[]> bodies = DATA.itemBodies(0, 10_000);
    assertEquals(10, bodies.size());
    List<String> ids = new ArrayList<>();
    for (byte[] body : bodies) {
      assertTrue(body.length <= 8 * 1024 * 1024, "body of " + body.length + " bytes");
      JsonNode items = parse(body).path("items");
      assertEquals(1_000, items.size());
      for (JsonNode item : items) {
        ids.add(item.path("id").asText());
        assertEquals(16, item.path("embedding").size());
        assertTrue(
            item.path("popularity").isNumber() && item.path("createdAt").isIntegralNumber(),
            item.toString());
      }
    }
    assertEquals(IntStream.range(0, 10_000).mapToObj(i -> "s-" + i).toList(), ids);
    // each item is generated on its own: item 123 is the same alone as inside a body
    JsonNode alone = parse(DATA.itemBodies(123, 124).get(0)).path("items").get(0);
    assertEquals(parse(bodies.get(0)).path("items").get(123), alone);
    assertEquals(DATA.item(123).category(), alone.path("category").asText());
  }

  @Test
  void aUserSeesAThousandDistinctItemsAndInteractsWithSomeOfThemOnly() {
    for (int u = 0; u < 200; u++) {
      SpecData.UserPlan plan = DATA.user(u, 1_000, 30);
      assertEquals("su-" + u, plan.userId());
      Set<String> seen = new HashSet<>(plan.seenItemIds());
      assertEquals(1_000, plan.seenItemIds().size());
      assertEquals(1_000, seen.size(), "distinct");
      assertTrue(seen.stream().allMatch(id -> id.matches("s-[0-9]{1,4}")));
      assertTrue(plan.preferredCategories().size() == 2 || plan.preferredCategories().size() == 3);

      List<SpecData.Event> events = plan.events();
      assertEquals(30, events.size());
      List<SpecData.Event> positives = events.subList(0, 29);
      assertEquals(
          29, positives.stream().map(SpecData.Event::itemId).distinct().count(), "distinct items");
      for (SpecData.Event e : positives) {
        assertEquals(plan.userId(), e.userId());
        assertTrue(Set.of("click", "like", "dwell").contains(e.type()), e.toString());
        assertTrue(seen.contains(e.itemId()), "interactions only on seen items: " + e);
        assertTrue(plan.preferredCategories().contains(categoryOf(e.itemId())), e.toString());
        assertNull(e.intent());
        if (e.type().equals("dwell")) {
          assertTrue(e.value() >= 15_000 && e.value() <= 120_000, e.toString());
        } else {
          assertNull(e.value());
        }
      }
      SpecData.Event skip = events.get(29);
      assertEquals("skip", skip.type());
      assertEquals("not_interested", skip.intent());
      assertNull(skip.value());
      assertTrue(seen.contains(skip.itemId()));
      assertFalse(plan.preferredCategories().contains(categoryOf(skip.itemId())), skip.toString());
    }
    assertEquals(List.of(), DATA.user(3, 1_000, 0).events());
    assertThrows(IllegalArgumentException.class, () -> DATA.user(0, 10_001, 30));
  }

  @Test
  void aThousandShortIdsGoInOneImpressionsBody() throws Exception {
    SpecData.UserPlan plan = DATA.user(0, 1_000, 30);
    List<byte[]> bodies = SpecData.impressionBodies(plan.userId(), plan.seenItemIds());
    assertEquals(1, bodies.size());
    assertTrue(bodies.get(0).length < 12_000, "about 9 KB: " + bodies.get(0).length);
    JsonNode body = parse(bodies.get(0));
    assertEquals("su-0", body.path("userId").asText());
    assertEquals(plan.seenItemIds(), texts(body.path("itemIds")));
  }

  @Test
  void longIdsAreSplitToStayWithin64KiB() throws Exception {
    String pad = "x".repeat(90);
    List<String> ids = IntStream.range(0, 1_000).mapToObj(i -> pad + i).toList();
    List<byte[]> bodies = SpecData.impressionBodies("su-12", ids);
    assertEquals(2, bodies.size(), "about 95 KB of ids");
    List<String> all = new ArrayList<>();
    for (byte[] body : bodies) {
      assertTrue(body.length <= 65_536, "body of " + body.length + " bytes");
      JsonNode json = parse(body);
      assertEquals("su-12", json.path("userId").asText());
      all.addAll(texts(json.path("itemIds")));
    }
    assertEquals(ids, all, "every id once, in order");
    // more than 1,000 ids: the count limit splits them too
    List<String> many = IntStream.range(0, 2_500).mapToObj(i -> "s-" + i).toList();
    assertEquals(
        List.of(1_000, 1_000, 500),
        SpecData.impressionBodies("u", many).stream().map(b -> count(b, "itemIds")).toList());
  }

  @Test
  void eventsOfAThousandUsersGoInThirtyBodiesOfAThousand() throws Exception {
    List<SpecData.Event> events = new ArrayList<>();
    for (int u = 0; u < 1_000; u++) {
      events.addAll(DATA.user(u, 1_000, 30).events());
    }
    List<byte[]> bodies = SpecData.eventBodies(events);
    assertEquals(30, bodies.size());
    List<JsonNode> sent = new ArrayList<>();
    for (byte[] body : bodies) {
      assertTrue(body.length <= 65_536, "body of " + body.length + " bytes");
      JsonNode list = parse(body).path("events");
      assertEquals(1_000, list.size());
      list.forEach(sent::add);
    }
    assertEquals(30_000, sent.size());
    for (int i = 0; i < events.size(); i += 997) {
      assertEquals(JSON.readTree(JSON.writeValueAsBytes(events.get(i))), sent.get(i), "in order");
    }
    JsonNode click =
        sent.stream()
            .filter(e -> e.path("type").asText().equals("click"))
            .findFirst()
            .orElseThrow();
    assertEquals(
        Set.of("type", "userId", "itemId"), fieldNames(click), "absent fields are left out");
    JsonNode dwell =
        sent.stream()
            .filter(e -> e.path("type").asText().equals("dwell"))
            .findFirst()
            .orElseThrow();
    assertTrue(dwell.path("value").isIntegralNumber());
    assertEquals("not_interested", sent.get(29).path("intent").asText());
  }

  @Test
  void bigEventsAreSplitBySize() throws Exception {
    String item = "s-" + "9".repeat(100);
    List<SpecData.Event> events =
        IntStream.range(0, 1_000)
            .mapToObj(i -> new SpecData.Event("dwell", "su-" + i, item, 60_000L, null))
            .toList();
    List<byte[]> bodies = SpecData.eventBodies(events);
    assertEquals(3, bodies.size(), "about 150 KB");
    int total = 0;
    for (byte[] body : bodies) {
      assertTrue(body.length <= 65_536, "body of " + body.length + " bytes");
      total += count(body, "events");
    }
    assertEquals(1_000, total);
  }

  @Test
  void packFillsBodiesExactlyUpToTheLimits() {
    List<byte[]> tenByteElements =
        IntStream.range(0, 7)
            .mapToObj(i -> ("\"abcdefg" + i + "\"").getBytes(StandardCharsets.UTF_8))
            .toList();
    // "[" + 3 elements + 2 commas + "]" = 34 bytes
    assertEquals(
        List.of(34, 34, 12),
        SpecData.pack("[", tenByteElements, "]", 100, 34).stream().map(b -> b.length).toList());
    assertEquals(
        List.of(23, 23, 23, 12),
        SpecData.pack("[", tenByteElements, "]", 100, 33).stream().map(b -> b.length).toList());
    assertEquals(
        List.of(23, 23, 23, 12),
        SpecData.pack("[", tenByteElements, "]", 2, 1_000).stream().map(b -> b.length).toList());
    assertEquals(
        "[\"abcdefg0\",\"abcdefg1\"]",
        new String(
            SpecData.pack("[", tenByteElements, "]", 2, 1_000).get(0), StandardCharsets.UTF_8));
    assertEquals(List.of(), SpecData.pack("[", List.of(), "]", 2, 1_000));
    assertThrows(
        IllegalArgumentException.class, () -> SpecData.pack("[", tenByteElements, "]", 100, 11));
  }

  @Test
  void hashSpreadsNeighbours() {
    assertNotEquals(SpecData.hash(42, 1, 0), SpecData.hash(42, 1, 1));
    assertNotEquals(SpecData.hash(42, 1, 5), SpecData.hash(42, 3, 5));
    assertEquals(SpecData.hash(42, 1, 5), SpecData.hash(42, 1, 5));
  }

  private static String categoryOf(String itemId) {
    return DATA.item(Integer.parseInt(itemId.substring(2))).category();
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static int count(byte[] body, String field) {
    try {
      return parse(body).path(field).size();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
