package dev.freshet.http.api;

import static dev.freshet.http.api.ParserTests.NOW;
import static dev.freshet.http.api.ParserTests.WINDOW;
import static dev.freshet.http.api.ParserTests.json;
import static dev.freshet.http.api.ParserTests.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.features.InteractionType;
import org.junit.jupiter.api.Test;

class EventBatchTest {

  private static EventBatch parse(String events) {
    return EventBatch.parse(json("{'events':[" + events + "]}"), WINDOW, NOW);
  }

  @Test
  void readsEveryFieldOfMixedEvents() {
    EventBatch batch =
        parse(
            "{'type':'click','userId':'u1','itemId':'i1','rankingId':'r-1','position':3,'ts':'2026-01-02T03:00:00Z'},"
                + "{'type':'dwell','userId':'u2','itemId':'i2','value':45000},"
                + "{'type':'skip','userId':'u1','itemId':'i3','intent':'bad_timing'}");

    assertThat(batch.events()).hasSize(3);
    EventBatch.Event click = batch.events().get(0);
    assertThat(click.type()).isEqualTo(InteractionType.CLICK);
    assertThat(click.rankingId()).isEqualTo("r-1");
    assertThat(click.position()).isEqualTo(3);
    assertThat(click.at()).isEqualTo(NOW - 245_000);
    assertThat(batch.events().get(1).value()).isEqualTo(45_000L);
    assertThat(batch.events().get(1).at()).isEqualTo(NOW); // no ts: now
    assertThat(batch.events().get(2).intent()).isEqualTo("bad_timing");
  }

  @Test
  void everyBadFieldIsNamedWithItsIndex() {
    String ok = "{'type':'click','userId':'u','itemId':'i'},";
    refused(() -> parse(ok + "{'type':'poke','userId':'u','itemId':'i'}"), "events[1].type");
    refused(() -> parse(ok + "{'type':'click','userId':'a b','itemId':'i'}"), "events[1].userId");
    refused(() -> parse(ok + "{'type':'click','userId':'u'}"), "events[1].itemId");
    refused(
        () -> parse(ok + "{'type':'click','userId':'u','itemId':'i','value':1}"),
        "events[1].value");
    refused(
        () -> parse(ok + "{'type':'dwell','userId':'u','itemId':'i','value':-1}"),
        "events[1].value");
    refused(
        () -> parse(ok + "{'type':'click','userId':'u','itemId':'i','position':-1}"),
        "events[1].position");
    refused(
        () -> parse(ok + "{'type':'click','userId':'u','itemId':'i','ts':'0000-01-01T00:00:00Z'}"),
        "events[1].ts");
    refused(
        () -> parse(ok + "{'type':'skip','userId':'u','itemId':'i','intent':'\\ud800'}"),
        "events[1].intent");
    refused(() -> parse(ok + "1"), "events[1]");
    refused(() -> EventBatch.parse(json("{'events':[]}"), WINDOW, NOW), "events");
    refused(() -> EventBatch.parse(json("[]"), WINDOW, NOW), "body");
  }
}
