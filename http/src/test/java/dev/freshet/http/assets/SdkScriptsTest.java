package dev.freshet.http.assets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The classic build's rules, on small modules written in the form the SDK's sources keep to. */
class SdkScriptsTest {

  private static final String CORE =
      """
      // the core
      export const MAX_IDS = 1000;
      export function byteLength(text) {
        return text.length;
      }
      export class Outbox {}
      function helper() {}
      """;

  private static final String PAGE =
      """
      import { MAX_IDS, byteLength, Outbox } from "./freshet-core.mjs";
      export async function flush() {}
      export function init() {
        return new Outbox(MAX_IDS, byteLength("x"));
      }
      const exportedLater = 1;
      export default { init, flush };
      """;

  @Test
  void theModulesBecomeOneStrictFunctionThatSetsFreshet() {
    String classic = SdkScripts.classic(CORE, PAGE);
    assertThat(classic).startsWith("/*").contains("(function () {\n\"use strict\";\n");
    assertThat(classic.strip()).endsWith("})();");
    assertThat(classic)
        .contains("\nconst MAX_IDS = 1000;")
        .contains("\nfunction byteLength(text) {")
        .contains("\nclass Outbox {}")
        .contains("\nasync function flush() {}")
        .contains("\nglobalThis.Freshet = { init, flush };")
        .contains("const exportedLater = 1;")
        .doesNotContain("import ")
        .doesNotContain("export ");
  }

  @Test
  void whatTheRulesDoNotCoverStopsTheBuild() {
    assertThatThrownBy(() -> SdkScripts.classic(CORE + "export { helper };\n", PAGE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("freshet-core.mjs line 8")
        .hasMessageContaining("export { helper };");
    assertThatThrownBy(
            () -> SdkScripts.classic(CORE, "import x from \"./elsewhere.mjs\";\n" + PAGE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("freshet.mjs line 1");
    assertThatThrownBy(
            () -> SdkScripts.classic("import { a } from \"./freshet-core.mjs\";\n", PAGE))
        .hasMessageContaining("freshet-core.mjs line 1");
    assertThatThrownBy(() -> SdkScripts.classic(CORE, PAGE.replace("export default", "const d =")))
        .hasMessageContaining("no `export default");
  }
}
