package dev.freshet.http.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The batch id the user entities remember a keyed request by. */
class BatchIdTest {

  @Test
  void theSameRequestUnderTheSameKeyHasOneIdAndAnythingElseAnother() {
    long id = Idempotency.batchId("key:web", "batch-1", "ab12");
    assertThat(Idempotency.batchId("key:web", "batch-1", "ab12")).isEqualTo(id).isNotZero();
    Set<Long> others = new HashSet<>();
    others.add(Idempotency.batchId("key:app", "batch-1", "ab12")); // another client
    others.add(Idempotency.batchId("key:web", "batch-2", "ab12")); // another key
    others.add(Idempotency.batchId("key:web", "batch-1", "ab13")); // another request
    // the parts cannot slide into one another
    others.add(Idempotency.batchId("key:web\nbatch-1", "", "ab12"));
    assertThat(others).hasSize(4).doesNotContain(id);
  }
}
