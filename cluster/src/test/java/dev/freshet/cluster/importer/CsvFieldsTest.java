package dev.freshet.cluster.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CsvFieldsTest {

  @Test
  void splitsAtCommasAndStripsUnquotedFields() {
    assertThat(CsvFields.split("a, b ,c")).containsExactly("a", "b", "c");
    assertThat(CsvFields.split("a,,")).containsExactly("a", "", "");
    assertThat(CsvFields.split("")).containsExactly("");
  }

  @Test
  void quotedFieldsHoldCommasAndDoubledQuotes() {
    assertThat(CsvFields.split("1,\"American President, The (1995)\",Comedy|Drama"))
        .containsExactly("1", "American President, The (1995)", "Comedy|Drama");
    assertThat(CsvFields.split("\"say \"\"hi\"\"\", \" x \"")).containsExactly("say \"hi\"", " x ");
  }

  @Test
  void aQuoteLeftOpenOrFollowedByTextIsRefusedNamingTheCharacter() {
    assertThatThrownBy(() -> CsvFields.split("1,\"open"))
        .isInstanceOf(BadValue.class)
        .hasMessage("the quote opened at character 3 is not closed");
    assertThatThrownBy(() -> CsvFields.split("\"a\"b,c"))
        .isInstanceOf(BadValue.class)
        .hasMessage("character 4 follows a quoted field; expected a comma");
  }
}
