package dev.freshet.http.api;

import static dev.freshet.http.api.ParserTests.NOW;
import static dev.freshet.http.api.ParserTests.WINDOW;
import static dev.freshet.http.api.ParserTests.json;
import static dev.freshet.http.api.ParserTests.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.catalog.ItemStatus;
import dev.freshet.actors.catalog.ItemUpsert;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemsRequestTest {

  private static List<ItemUpsert> parse(String items) {
    return ItemsRequest.parse(json("{'items':[" + items + "]}"), 2, WINDOW, NOW);
  }

  @Test
  void readsItemsWithDefaultsAndDistinctTags() {
    List<ItemUpsert> items =
        parse(
            "{'id':'a','category':'news','tags':['x','x','y'],'popularity':5,'embedding':[0.5,1],'attributes':{'k':[1,'v']}},"
                + "{'id':'b','category':'art','status':'archived','createdAt':'2026-01-01T00:00:00Z'}");

    assertThat(items.get(0).tags()).containsExactly("x", "y");
    assertThat(items.get(0).status()).isEqualTo(ItemStatus.ACTIVE);
    assertThat(items.get(0).createdAtMillis()).isEqualTo(NOW);
    assertThat(items.get(0).embedding()).containsExactly(0.5f, 1f);
    assertThat(items.get(0).attributesJson()).isEqualTo("{\"k\":[1,\"v\"]}");
    assertThat(items.get(1).status()).isEqualTo(ItemStatus.ARCHIVED);
    assertThat(items.get(1).attributesJson()).isEqualTo("{}");
  }

  @Test
  void everyBadFieldIsNamed() {
    String ok = "{'id':'a','category':'c'},";
    refused(() -> parse(ok + "{'category':'c'}"), "items[1].id");
    refused(() -> parse(ok + "{'id':'b'}"), "items[1].category");
    refused(() -> parse(ok + "{'id':'b','category':'c','status':'gone'}"), "items[1].status");
    refused(() -> parse(ok + "{'id':'b','category':'c','popularity':-1}"), "items[1].popularity");
    refused(() -> parse(ok + "{'id':'b','category':'c','embedding':[1]}"), "items[1].embedding");
    refused(() -> parse(ok + "{'id':'b','category':'c','tags':[1]}"), "items[1].tags[0]");
    refused(
        () -> parse(ok + "{'id':'b','category':'c','createdAt':'+999999999-12-31T23:59:59Z'}"),
        "items[1].createdAt");
    refused(() -> parse(ok + "{'id':'b','category':'c','attributes':[]}"), "items[1].attributes");
    refused(
        () -> parse(ok + "{'id':'b','category':'c','attributes':{'a':{'b':'\\u0000'}}}"),
        "items[1].attributes.a.b");
  }
}
