package dev.freshet.http;

import dev.freshet.streams.readmodel.PipelineMonitor;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.actors.catalog.Catalog;
import dev.freshet.actors.catalog.CatalogSnapshot;
import dev.freshet.actors.catalog.Item;
import dev.freshet.actors.features.SignalWeights;
import dev.freshet.actors.pool.PoolCoordinator;
import dev.freshet.actors.popularity.Popularity;
import dev.freshet.actors.user.FavoriteShares;
import dev.freshet.streams.UserData;
import dev.freshet.streams.UserHistory;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.DispatcherSelector;
import dev.freshet.actors.popularity.PopularityBoard;
import dev.freshet.actors.ranking.ItemLists;
import dev.freshet.streams.PopularityFeed;
import java.util.Optional;
import dev.freshet.actors.ranking.RankedItem;
import dev.freshet.actors.ranking.RankingLog;
import dev.freshet.actors.ranking.RankingSettings;
import dev.freshet.actors.ranking.Ranking;
import dev.freshet.actors.ranking.RankingRequest;
import dev.freshet.actors.user.UserEntity;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The edge of API.md: catalog, ingest, ranking and health. Every body is validated completely before
 * anything is changed, and every answer that reports a change is sent after the change is durable
 * (the catalog's transaction, or the user entity's journal write).
 */
public final class FreshetRoutes extends AllDirectives {

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Catalog catalog;
  private final Popularity popularity;
  private final RankingSettings rankingSettings;
  private final RankingLog rankingLog;
  private final HttpSettings settings;
  private final ReadinessCheck readiness;
  private final ObjectMapper mapper;
  private final ApiErrors errors;
  private final UserLibraryRoutes library;
  private final PrivacyRoutes privacy;
  private final AdminRoutes admin;
  private final Metrics metrics;
  private final Ingest ingest;
  private final Idempotency idempotency;
  private final KeyRoutes keys;
  private final Edge edge;
  private final StreamRoutes stream;
  /** Built with the routes, so that a route without documentation stops the node from starting. */
  private final OpenApi openApi = OpenApi.of(Endpoints.ALL);

  public FreshetRoutes(
      ActorSystem<?> system,
      Catalog catalog,
      Popularity popularity,
      PopularityFeed popularityFeed,
      SignalWeights signals,
      RankingSettings rankingSettings,
      RankingLog rankingLog,
      HttpSettings settings,
      ReadinessCheck readiness,
      ActorRef<PoolCoordinator.Command> pool,
      UserHistory history,
      FavoriteShares shares,
      UserData userData,
      PipelineMonitor pipelines,
      Metrics metrics,
      EdgeServices edgeServices) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.catalog = catalog;
    this.popularity = popularity;
    this.rankingSettings = rankingSettings;
    this.rankingLog = rankingLog;
    this.settings = settings;
    this.readiness = readiness;
    this.mapper = ApiJson.mapper();
    this.errors = new ApiErrors(mapper);
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.library = new UserLibraryRoutes(sharding, catalog, history, shares, blocking, settings, mapper);
    this.privacy = new PrivacyRoutes(sharding, catalog, userData, settings, mapper);
    this.admin = new AdminRoutes(system, pool, pipelines, metrics.alerts(), settings.askTimeout(), mapper);
    this.metrics = metrics;
    this.ingest =
        new Ingest(
            sharding, catalog, popularityFeed, signals, settings.askTimeout(), settings.timeWindow(), edgeServices.limits(), metrics.ingest());
    this.idempotency = edgeServices.idempotency();
    this.keys = new KeyRoutes(edgeServices.keys(), blocking, mapper, inner -> jsonBody(false, settings.maxBodyBytes(), inner));
    this.stream = new StreamRoutes(system, ingest, edgeServices.idempotency(), errors, mapper, settings.maxBodyBytes(), metrics.registry());
    this.edge =
        new Edge(
            edgeServices.keys(),
            edgeServices.limits(),
            errors,
            new RequestMetrics(metrics.registry()),
            edgeServices.settings(),
            system.settings().config(),
            stream::refuse);
  }

  /**
   * The handler of one connection: the routes, fed requests until one is malformed in a way that
   * makes the rest of the connection untrustworthy ({@link HeaderCheck}).
   */
  public Flow<HttpRequest, HttpResponse, NotUsed> connectionFlow() {
    return HeaderCheck.untilMalformed().via(routes().flow(system));
  }

  public Route routes() {
    return edge.wrap(
        () ->
            concat(
                pathPrefix("v1", this::v1),
                path("metrics", () -> get(() -> complete(metrics.scrape()))),
                pathPrefix(
                    "health",
                    () ->
                        concat(
                            path("alive", () -> get(() -> json(200, Map.of("status", "alive")))),
                            path("ready", () -> get(this::ready))))));
  }

  private Route v1() {
    return concat(
        path(segment("openapi.json"), () -> get(() -> complete(openApi.response()))),
        path("items", () -> post(() -> jsonBody(false, settings.maxCatalogBodyBytes(), this::upsertItems))),
        path(segment("items").slash("popular"), () -> get(() -> parameterMap(q -> itemList(q, ItemLists::popular)))),
        path(segment("items").slash("latest"), () -> get(() -> parameterMap(q -> itemList(q, ItemLists::latest)))),
        path(segment("items").slash(segment()), id -> get(() -> getItem(id))),
        path("impressions", () -> post(() -> jsonBody(true, settings.maxBodyBytes(), this::recordImpressions))),
        path("events", () -> post(() -> jsonBody(true, settings.maxBodyBytes(), this::recordEvents))),
        path("stream", () -> get(stream::route)),
        pathPrefix("shared", library::shared),
        pathPrefix(segment("admin").slash("keys"), keys::routes),
        pathPrefix("admin", admin::routes),
        pathPrefix(
            segment("users").slash(segment()),
            userId ->
                concat(
                    path("recommendations", () -> get(() -> parameterMap(q -> recommend(userId, q)))),
                    path("state", () -> get(() -> state(userId))),
                    library.forUser(userId),
                    privacy.forUser(userId, inner -> jsonBody(false, settings.maxBodyBytes(), inner)),
                    path(
                        "persona",
                        () -> put(() -> jsonBody(false, settings.maxBodyBytes(), body -> setPersona(userId, body)))))));
  }

  // ---- catalog ---------------------------------------------------------------------------------

  private Route upsertItems(JsonNode body) {
    var upserts = ItemsRequest.parse(body, settings.embeddingDimension(), settings.timeWindow(), System.currentTimeMillis());
    return onSuccess(
        catalog.upsert(upserts), stored -> json(200, Map.of("upserted", stored.size())));
  }

  private Route getItem(String id) {
    Fields.id("id", id);
    return onSuccess(
        catalog.find(id),
        item ->
            item.map(i -> json(200, ItemJson.of(mapper, i)))
                .orElseThrow(() -> new ApiException(404, "not_found", "No item with id " + id, "id")));
  }

  // ---- ingest ----------------------------------------------------------------------------------

  private Route recordImpressions(JsonNode body) {
    return idempotent("/v1/impressions", body, () -> ingest.impressions(body));
  }

  private Route recordEvents(JsonNode body) {
    return idempotent("/v1/events", body, () -> ingest.events(body));
  }

  /** An ingest batch under its optional Idempotency-Key: a replay gets the first answer, marked as one. */
  private Route idempotent(String route, JsonNode body, Supplier<CompletionStage<Ingest.Answer>> work) {
    return extractRequest(
        request ->
            optionalHeaderValueByName(
                Idempotency.HEADER,
                key ->
                    onSuccess(
                        idempotency.once(request.getAttribute(Caller.ATTRIBUTE).orElseThrow(), key, route, body, work),
                        answer -> {
                          HttpResponse response = ApiJson.response(mapper, answer.status(), answer.body());
                          return complete(
                              answer.replayed() ? response.addHeader(RawHeader.create("Idempotent-Replayed", "true")) : response);
                        })));
  }

  // ---- ranking ---------------------------------------------------------------------------------

  @FunctionalInterface
  private interface ItemList {
    List<ItemLists.Listed> list(CatalogSnapshot catalog, PopularityBoard board, Optional<String> category, int k);
  }

  /** {@code GET /v1/items/popular} and {@code /latest}: non-personal, for anyone. */
  private Route itemList(Map<String, String> query, ItemList list) {
    int k = RecommendationQuery.k(query.get("k"));
    Optional<String> category = RecommendationQuery.category(query.get("category"));
    ObjectNode body = mapper.createObjectNode();
    ArrayNode items = body.putArray("items");
    int position = 1;
    for (ItemLists.Listed listed : list.list(catalog.snapshot(), popularity.board(), category, k)) {
      ObjectNode i = items.addObject();
      Item item = listed.item();
      i.put("id", item.id());
      i.put("category", item.category());
      i.put("position", position++);
      i.put("createdAt", Instant.ofEpochMilli(item.createdAtMillis()).toString());
      i.put("popularity", item.popularity());
      i.put("trending", listed.trending());
    }
    return json(200, body);
  }

  private Route recommend(String userId, Map<String, String> query) {
    Fields.id("userId", userId);
    RankingRequest request = RecommendationQuery.parse(query, rankingSettings);
    CompletionStage<UserEntity.RankingResult> ranking =
        user(userId)
            .askWithStatus(
                replyTo -> new UserEntity.Recommend(request, replyTo), settings.askTimeout());
    return onSuccess(
        ranking,
        r -> {
          if (r.personal()) { // nothing is kept under the id of a user without consent
            rankingLog.served(userId, r.served());
            if (r.shadow() != null) rankingLog.shadow(userId, r.shadow());
          }
          return json(200, rankingJson(r.served(), request.explain()));
        });
  }

  private ObjectNode rankingJson(Ranking ranking, boolean explain) {
    ObjectNode node = mapper.createObjectNode();
    node.put("rankingId", ranking.rankingId());
    node.put("variant", ranking.variant());
    ArrayNode items = node.putArray("items");
    for (RankedItem item : ranking.items()) {
      ObjectNode i = items.addObject();
      i.put("id", item.id());
      i.put("score", item.score());
      i.put("position", item.position());
      i.put("reason", item.reason());
      if (explain) i.set("explain", mapper.valueToTree(item.explain()));
    }
    return node;
  }

  private Route state(String userId) {
    Fields.id("userId", userId);
    return onSuccess(
        user(userId).askWithStatus(UserEntity.GetState::new, settings.askTimeout()),
        view -> json(200, view));
  }

  /** {@code PUT /v1/users/{id}/persona}: the cold-start taste of a user without history. */
  private Route setPersona(String userId, JsonNode body) {
    Fields.id("userId", userId);
    var persona = PersonaRequest.parse(body, settings.embeddingDimension());
    return onSuccess(
        user(userId)
            .askWithStatus(
                (ActorRef<StatusReply<org.apache.pekko.Done>> replyTo) -> new UserEntity.SetPersona(persona, replyTo),
                settings.askTimeout()),
        done -> json(200, ApiJson.fields("userId", userId, "persona", "set")));
  }

  private EntityRef<UserEntity.Command> user(String userId) {
    return sharding.entityRefFor(UserEntity.TYPE_KEY, userId);
  }

  // ---- health ----------------------------------------------------------------------------------

  private Route ready() {
    return onSuccess(
        readiness.check(),
        reason ->
            reason
                .map(r -> json(503, ApiJson.fields("status", "not ready", "reason", r)))
                .orElseGet(() -> json(200, Map.of("status", "ready"))));
  }

  // ---- plumbing --------------------------------------------------------------------------------

  /**
   * Reads a JSON body of at most {@code maxBytes}. sendBeacon can only send {@code text/plain}, so
   * ingest routes accept JSON in a text/plain body too.
   */
  private Route jsonBody(boolean allowTextPlain, long maxBytes, Function<JsonNode, Route> inner) {
    return extractRequestEntity(
        entity -> {
          MediaType mediaType = entity.getContentType().mediaType();
          boolean accepted =
              mediaType.equals(MediaTypes.APPLICATION_JSON)
                  || (allowTextPlain && mediaType.equals(MediaTypes.TEXT_PLAIN));
          if (!accepted) {
            throw new ApiException(
                415,
                "unsupported_media_type",
                "Content-Type must be application/json" + (allowTextPlain ? " or text/plain" : "")
                    + ", not " + mediaType,
                "Content-Type");
          }
          var declared = entity.getContentLengthOption();
          if (declared.isPresent() && declared.getAsLong() > maxBytes) {
            throw bodyTooLarge(maxBytes);
          }
          // a body without Content-Length (chunked) fails with EntityStreamSizeException past the limit
          return onSuccess(
              entity
                  .withSizeLimit(maxBytes)
                  .toStrict(settings.askTimeout().toMillis(), system)
                  .exceptionally(
                      failure -> {
                        if (ApiErrors.unwrap(failure) instanceof TimeoutException) {
                          // the client announced more than it sent: its fault, not ours (408, not 503)
                          throw ApiException.closing(
                              408, "body_timeout", "the body did not arrive within " + settings.askTimeout().toSeconds() + " s", "body");
                        }
                        throw failure instanceof CompletionException c ? c : new CompletionException(failure);
                      }),
              strict -> inner.apply(parse(strict.getData())));
        });
  }

  static ApiException bodyTooLarge(long limit) {
    return new ApiException(413, "body_too_large", "body exceeds " + limit + " bytes", "body");
  }

  private JsonNode parse(ByteString data) {
    if (data.isEmpty()) throw ApiException.invalid("body", "body is empty");
    try {
      JsonNode node = mapper.readTree(data.toArray());
      if (node == null || node.isMissingNode()) throw ApiException.invalid("body", "body is empty");
      return node;
    } catch (IOException e) {
      throw new ApiException(400, "malformed_json", "body is not valid JSON: " + ApiJson.brief(e), "body");
    }
  }

  private Route json(int status, Object body) {
    return complete(ApiJson.response(mapper, status, body));
  }
}
