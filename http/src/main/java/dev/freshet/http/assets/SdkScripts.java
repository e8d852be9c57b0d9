package dev.freshet.http.assets;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The browser SDK's classic script ({@code /sdk/freshet.js}, for a plain {@code <script src>}),
 * made from its two ES modules when the node starts, so that one source serves both and nothing is
 * bundled or downloaded at build time. The modules keep to a form that makes this a few textual
 * rules (written at the top of {@code sdk/freshet.mjs}, and checked by the SDK's Node tests): the
 * page module's one import line goes, {@code export} before a declaration goes, {@code export
 * default X;} becomes {@code globalThis.Freshet = X;}, and the whole runs in one strict function
 * scope so that nothing else leaks into the page. A line the rules do not cover fails the build of
 * the script, and so the node's start, rather than serving a broken SDK.
 */
public final class SdkScripts {

  static final String CORE = "freshet-core.mjs";
  static final String PAGE = "freshet.mjs";

  private static final Pattern IMPORT =
      Pattern.compile("^import \\{[^}]*} from \"\\./freshet-core\\.mjs\";$");
  private static final Pattern DECLARATION =
      Pattern.compile("^export (?=(async function|function|class|const|let) )");
  private static final Pattern DEFAULT = Pattern.compile("^export default (.+);$");

  private SdkScripts() {}

  /** The classic script of the core module's and the page module's sources. */
  public static String classic(String core, String page) {
    List<String> out = new ArrayList<>();
    out.add("/* Freshet browser SDK: the classic build of freshet.mjs, made by the edge. */");
    out.add("(function () {");
    out.add("\"use strict\";");
    transform(CORE, core, false, out);
    boolean exported = transform(PAGE, page, true, out);
    if (!exported) {
      throw new IllegalStateException(
          PAGE + " has no `export default …;` line for the classic build");
    }
    out.add("})();");
    return String.join("\n", out) + "\n";
  }

  /** Adds {@code source}'s lines to {@code out}; answers whether it had the default export. */
  private static boolean transform(String name, String source, boolean page, List<String> out) {
    boolean exported = false;
    String[] lines = source.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.startsWith("import ")) {
        if (!page || !IMPORT.matcher(line).matches()) {
          throw unsupported(name, i, line, "the only import is the page module's core import");
        }
        continue;
      }
      if (line.startsWith("export ")) {
        var def = DEFAULT.matcher(line);
        if (def.matches() && page) {
          out.add("globalThis.Freshet = " + def.group(1) + ";");
          exported = true;
          continue;
        }
        var decl = DECLARATION.matcher(line);
        if (!decl.find()) {
          throw unsupported(name, i, line, "export only declarations (function, class, const)");
        }
        out.add(line.substring(decl.end()));
        continue;
      }
      out.add(line);
    }
    return exported;
  }

  private static IllegalStateException unsupported(
      String name, int index, String line, String rule) {
    return new IllegalStateException(
        "sdk/" + name + " line " + (index + 1) + " cannot be made classic (" + rule + "): " + line);
  }
}
