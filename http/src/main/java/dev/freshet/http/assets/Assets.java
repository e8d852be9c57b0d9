package dev.freshet.http.assets;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The static files of the edge, read from the class path once and kept in memory: the browser SDK
 * ({@code sdk/}, its classic build made at start), the admin dashboard ({@code admin/}) and the
 * charting library the dashboard draws with (ECharts, from its WebJar). Only plain file names are
 * looked up, in one folder each, so that no request path reaches another resource.
 */
public final class Assets {

  /** ECharts' UMD build in its WebJar (the version is the dependency's, see http/pom.xml). */
  static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

  /** A name a request may ask for: letters, digits, dots, dashes; no path, no hidden file. */
  private static final Pattern FILE_NAME =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9]+)+");

  private final ClassLoader loader;
  private final Map<String, Asset> sdk;
  private final Asset echarts;
  private final Map<String, Optional<Asset>> admin = new ConcurrentHashMap<>();

  /** Reads the SDK and ECharts now: a missing or malformed one stops the node from starting. */
  public static Assets load() {
    return new Assets(Assets.class.getClassLoader());
  }

  Assets(ClassLoader loader) {
    this.loader = loader;
    String core = text("sdk/" + SdkScripts.CORE);
    String page = text("sdk/" + SdkScripts.PAGE);
    this.sdk =
        Map.of(
            "freshet.js",
            Asset.of("freshet.js", SdkScripts.classic(core, page)),
            SdkScripts.PAGE,
            Asset.of(SdkScripts.PAGE, page),
            SdkScripts.CORE,
            Asset.of(SdkScripts.CORE, core));
    this.echarts = Asset.of("echarts.min.js", bytes(ECHARTS).orElseThrow(() -> missing(ECHARTS)));
  }

  /** {@code /sdk/{name}}. */
  public Optional<Asset> sdk(String name) {
    return Optional.ofNullable(sdk.get(name));
  }

  /** {@code /admin/{name}}: a file of the dashboard, {@code index.html} for the folder itself. */
  public Optional<Asset> admin(String name) {
    if (!FILE_NAME.matcher(name).matches()) return Optional.empty();
    // the dashboard is a handful of files; names that are not among them are never kept
    Optional<Asset> known = admin.get(name);
    if (known != null) return known;
    Optional<Asset> found = bytes("admin/" + name).map(b -> Asset.of(name, b));
    if (found.isPresent()) admin.put(name, found);
    return found;
  }

  /** {@code /admin/vendor/echarts.min.js}. */
  public Asset echarts() {
    return echarts;
  }

  private String text(String resource) {
    return new String(bytes(resource).orElseThrow(() -> missing(resource)), StandardCharsets.UTF_8);
  }

  private Optional<byte[]> bytes(String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + resource, e);
    }
  }

  private static IllegalStateException missing(String resource) {
    return new IllegalStateException(resource + " is not on the class path");
  }
}
