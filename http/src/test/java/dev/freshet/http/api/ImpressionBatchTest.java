package dev.freshet.http.api;

import static dev.freshet.http.api.ParserTests.json;
import static dev.freshet.http.api.ParserTests.refused;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImpressionBatchTest {

  @Test
  void readsTheBatchAndItsContext() {
    ImpressionBatch batch =
        ImpressionBatch.parse(
            json(
                "{'userId':'u1','itemIds':['a','b'],'surface':'home','rankingId':'r-1','positions':[1,2]}"));

    assertThat(batch.userId()).isEqualTo("u1");
    assertThat(batch.itemIds()).containsExactly("a", "b");
    assertThat(batch.surface()).hasValue("home");
    assertThat(batch.rankingId()).hasValue("r-1");
    assertThat(batch.positions()).hasValue(List.of(1, 2));
    assertThat(ImpressionBatch.parse(json("{'userId':'u1','itemIds':['a']}")).positions())
        .isEqualTo(Optional.empty());
  }

  @Test
  void everyBadFieldIsNamed() {
    refused(() -> ImpressionBatch.parse(json("{'itemIds':['a']}")), "userId");
    refused(() -> ImpressionBatch.parse(json("{'userId':'u','itemIds':'a'}")), "itemIds");
    refused(
        () -> ImpressionBatch.parse(json("{'userId':'u','itemIds':['a','b/c']}")), "itemIds[1]");
    refused(
        () -> ImpressionBatch.parse(json("{'userId':'u','itemIds':['a'],'positions':[1,2]}")),
        "positions");
    refused(
        () -> ImpressionBatch.parse(json("{'userId':'u','itemIds':['a'],'positions':[-1]}")),
        "positions[0]");
    refused(
        () -> ImpressionBatch.parse(json("{'userId':'u','itemIds':['a'],'surface':'a\\u0000'}")),
        "surface");
    refused(
        () -> ImpressionBatch.parse(json("{'userId':'u','itemIds':['a'],'rankingId':'r 1'}")),
        "rankingId");
  }
}
