package dev.freshet.http.routes;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.freshet.http.api.ApiException;
import dev.freshet.http.assets.Asset;
import dev.freshet.http.assets.Assets;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The edge's static files: the browser SDK under {@code /sdk/} (for pages of any origin: the
 * scripts carry no secret, and a module script from another origin needs CORS), and the admin
 * dashboard under {@code /admin/} (same origin only; its data needs an admin key). Each answer has
 * an entity tag, so browsers revalidate with a 304 instead of fetching again.
 */
public final class AssetRoutes extends AllDirectives {

  /** How long a page may use the SDK without asking again: an upgrade reaches pages this fast. */
  private static final long SDK_MAX_AGE_SECONDS = 300;

  private final Assets assets;

  public AssetRoutes(Assets assets) {
    this.assets = assets;
  }

  /** {@code /sdk/{file}}. */
  public Route sdk() {
    return path(
        segment("sdk").slash(segment()),
        name ->
            get(
                () ->
                    serve(
                        assets.sdk(name),
                        name,
                        CacheControl.create(
                            CacheDirectives.PUBLIC, CacheDirectives.MAX_AGE(SDK_MAX_AGE_SECONDS)),
                        true)));
  }

  /** {@code /admin}, {@code /admin/}, {@code /admin/{file}} and {@code /admin/vendor/{file}}. */
  public Route admin() {
    CacheControl revalidate = CacheControl.create(CacheDirectives.NO_CACHE);
    return pathPrefix(
        "admin",
        () ->
            get(
                () ->
                    concat(
                        pathEnd(
                            () ->
                                complete(
                                    HttpResponse.create()
                                        .withStatus(StatusCodes.PERMANENT_REDIRECT)
                                        .addHeader(Location.create("/admin/")))),
                        pathSingleSlash(
                            () -> serve(assets.admin("index.html"), "", revalidate, false)),
                        path(
                            segment("vendor").slash("echarts.min.js"),
                            () ->
                                serve(
                                    Optional.of(assets.echarts()),
                                    "echarts.min.js",
                                    revalidate,
                                    false)),
                        path(
                            segment(),
                            name -> serve(assets.admin(name), name, revalidate, false)))));
  }

  private Route serve(Optional<Asset> found, String name, CacheControl cache, boolean anyOrigin) {
    if (found.isEmpty()) {
      throw new ApiException(404, "not_found", "There is no file " + name + " here", null);
    }
    Asset asset = found.get();
    return respondWithHeaders(
        anyOrigin
            ? java.util.List.of(cache, RawHeader.create("Access-Control-Allow-Origin", "*"))
            : java.util.List.of(cache),
        () ->
            conditional(
                EntityTag.create(asset.etag(), false),
                () ->
                    complete(
                        HttpResponse.create()
                            .withEntity(HttpEntities.create(asset.contentType(), asset.bytes())))));
  }
}
