package dev.freshet.http.routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.freshet.actors.feed.ActivityFeed;
import dev.freshet.http.api.ApiErrors;
import dev.freshet.http.api.ApiException;
import dev.freshet.http.api.Fields;
import dev.freshet.http.edge.ApiKeys;
import dev.freshet.http.edge.Caller;
import dev.freshet.http.edge.Scope;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/admin/feed}: the admin dashboard's live feed, a WebSocket showing impressions,
 * interactions and rankings as the cluster records them ({@link ActivityFeed}).
 *
 * <p>A browser cannot set headers on a WebSocket and the admin key must never sit in a URL, so
 * without an {@code Authorization} header the first message must be {@code
 * {"type":"auth","key":"…"}}, within {@code freshet.dashboard.feed.auth-timeout}; a wrong key is
 * answered with one error message and a close, and nothing is shown before a good one. Then the
 * viewer may send {@code {"type":"filter","userId":…,"itemId":…}} (null or empty: any), {@code
 * {"type":"pause"}} and {@code {"type":"resume"}}. The server sends {@code ready}, {@code status}
 * (after each change, and when messages were dropped), {@code impression}, {@code interaction},
 * {@code ranking} and {@code error} messages.
 *
 * <p>Each viewer has a buffer of {@code buffer-size} messages: a viewer that reads slower than
 * things happen loses the newest (counted, and told in its status), and never slows whoever records
 * them. The key is checked again every half minute, so a revoked key stops seeing.
 */
public final class AdminFeedRoutes extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(AdminFeedRoutes.class);

  /** The largest message a viewer may send: a filter of two ids, or a key. */
  private static final long MAX_MESSAGE_BYTES = 4096;

  /** Ids one impression or ranking message lists at most; {@code moreItems} counts the rest. */
  static final int MAX_IDS_SHOWN = 50;

  private static final Duration TICK = Duration.ofSeconds(1);
  private static final int RECHECK_TICKS = 30;

  /** {@code freshet.dashboard.feed}. */
  record Settings(int bufferSize, Duration authTimeout, int maxViewers) {
    static Settings fromConfig(Config config) {
      Config c = config.getConfig("freshet.dashboard.feed");
      return new Settings(
          c.getInt("buffer-size"), c.getDuration("auth-timeout"), c.getInt("max-viewers"));
    }
  }

  private final ActorSystem<?> system;
  private final ActivityFeed feed;
  private final ApiKeys keys;
  private final ApiErrors errors;
  private final ObjectMapper mapper;
  private final Materializer materializer;
  private final Settings settings;
  private final String node;
  private final AtomicInteger viewers = new AtomicInteger();
  private final Gauge viewersOpen;
  private final Counter sent;
  private final Counter dropped;

  public AdminFeedRoutes(
      ActorSystem<?> system,
      ActivityFeed feed,
      ApiKeys keys,
      ApiErrors errors,
      ObjectMapper mapper,
      String node,
      PrometheusRegistry registry) {
    this.system = system;
    this.feed = feed;
    this.keys = keys;
    this.errors = errors;
    this.mapper = mapper;
    this.node = node;
    this.materializer = Materializer.matFromSystem(system);
    this.settings = Settings.fromConfig(system.settings().config());
    this.viewersOpen =
        Gauge.builder()
            .name("freshet_admin_feed_viewers")
            .help("Live feed viewers connected to this node")
            .register(registry);
    this.sent =
        Counter.builder()
            .name("freshet_admin_feed_messages")
            .help("Live feed messages put on a viewer's buffer")
            .register(registry);
    this.dropped =
        Counter.builder()
            .name("freshet_admin_feed_dropped_messages")
            .help("Live feed messages dropped because a viewer's buffer was full (a slow viewer)")
            .register(registry);
  }

  /** {@code GET /v1/admin/feed}; a request that is not a WebSocket upgrade is a 400 saying so. */
  public Route route() {
    return extractRequest(
        request -> {
          Caller caller = request.getAttribute(Caller.ATTRIBUTE).orElseThrow();
          String traceId = caller.traceId();
          return optionalAttribute(
              AttributeKeys.webSocketUpgrade,
              upgrade ->
                  upgrade
                      .map(
                          u -> {
                            // with a header the edge checked the key; without one, it is asked for
                            boolean signedIn =
                                caller.key().isPresent() || !keys.settings().enabled();
                            return complete(u.handleMessagesWith(connection(signedIn)));
                          })
                      .orElseGet(
                          () ->
                              complete(
                                  errors.toResponse(
                                      WebSocketText.upgradeRequired("/v1/admin/feed"), traceId))));
        });
  }

  private Flow<Message, Message, NotUsed> connection(boolean signedIn) {
    if (viewers.incrementAndGet() > settings.maxViewers()) {
      viewers.decrementAndGet();
      ApiException busy =
          new ApiException(
              503,
              "too_many_viewers",
              "this node serves "
                  + settings.maxViewers()
                  + " feed viewers already (freshet.dashboard.feed.max-viewers)",
              null);
      return Flow.fromSinkAndSourceCoupled(Sink.ignore(), Source.single(text(errorOf(busy))));
    }
    viewersOpen.inc();
    Viewer viewer = new Viewer(signedIn);
    Source<Message, NotUsed> out =
        Source.<Message>queue(settings.bufferSize())
            .mapMaterializedValue(
                queue -> {
                  viewer.start(queue);
                  return NotUsed.getInstance();
                })
            .merge(
                Source.tick(TICK, TICK, "tick")
                    .mapConcat(t -> viewer.tick())
                    .mapMaterializedValue(c -> NotUsed.getInstance()),
                true);
    Sink<Message, NotUsed> in =
        Flow.<Message>create()
            .mapAsync(
                1,
                m ->
                    WebSocketText.read(
                            m, MAX_MESSAGE_BYTES, settings.authTimeout(), materializer, "message")
                        .handle(
                            (text, failure) -> {
                              if (failure != null) viewer.badMessage(failure);
                              else viewer.received(text);
                              return NotUsed.getInstance();
                            }))
            .to(Sink.ignore());
    return Flow.fromSinkAndSourceCoupled(in, out)
        .watchTermination(
            (mat, done) -> {
              done.whenComplete((d, e) -> viewer.stop());
              return NotUsed.getInstance();
            });
  }

  /** One viewer: whether signed in, what it watches, and its buffer. */
  private final class Viewer {
    private volatile boolean signedIn;
    private volatile String presentedKey;
    private volatile String userFilter;
    private volatile String itemFilter;
    private volatile boolean paused;
    private final long openedAt = System.nanoTime();
    private long droppedHere;
    private long droppedTold;
    private int ticks;
    private boolean stopped;
    private BoundedSourceQueue<Message> queue;
    private ActorRef<ActivityFeed.Entry> watcher;

    Viewer(boolean signedIn) {
      this.signedIn = signedIn;
    }

    synchronized void start(BoundedSourceQueue<Message> queue) {
      this.queue = queue;
      if (signedIn) begin();
    }

    /** Signed in: watch the feed and tell the viewer so. */
    private synchronized void begin() {
      if (stopped || watcher != null) return;
      watcher =
          system.systemActorOf(
              Behaviors.receiveMessage(
                  (ActivityFeed.Entry entry) -> {
                    show(entry);
                    return Behaviors.same();
                  }),
              "admin-feed-viewer-" + UUID.randomUUID(),
              Props.empty());
      feed.watch(watcher);
      Map<String, Object> ready = new LinkedHashMap<>();
      ready.put("type", "ready");
      ready.put("node", node);
      ready.put("bufferSize", settings.bufferSize());
      offer(ready);
      offer(status());
    }

    synchronized void stop() {
      stopped = true;
      viewersOpen.dec();
      viewers.decrementAndGet();
      if (watcher != null) {
        feed.unwatch(watcher);
        system.classicSystem().stop(Adapter.toClassic(watcher));
      }
    }

    /** Every second: the auth deadline, a re-check of the key, and news of drops. */
    synchronized List<Message> tick() {
      if (!signedIn) {
        if (System.nanoTime() - openedAt > settings.authTimeout().toNanos()) {
          close(
              new ApiException(
                  401,
                  "unauthorized",
                  "send {\"type\":\"auth\",\"key\":\"<admin key>\"} as the first message, within "
                      + settings.authTimeout().toSeconds()
                      + " s",
                  "key"));
        }
        return List.of();
      }
      if (presentedKey != null && ++ticks % RECHECK_TICKS == 0) recheck();
      if (droppedHere != droppedTold) {
        droppedTold = droppedHere;
        return List.of(text(status()));
      }
      return List.of();
    }

    void received(String text) {
      JsonNode message;
      String type;
      try {
        message = Fields.requireObject(parse(text));
        type = Fields.optionalText(message, "type", "type", 16).orElse("");
      } catch (ApiException bad) {
        refuse(bad);
        return;
      }
      if (!signedIn) {
        if (!type.equals("auth")) {
          close(
              new ApiException(
                  401,
                  "unauthorized",
                  "the first message must be {\"type\":\"auth\",\"key\":\"<admin key>\"}",
                  "type"));
          return;
        }
        signIn(message);
        return;
      }
      try {
        switch (type) {
          case "filter" -> filter(message);
          case "pause" -> setPaused(true);
          case "resume" -> setPaused(false);
          case "auth" -> {} // signed in already (a reconnecting page may send it again)
          default ->
              throw ApiException.invalid(
                  "type", "type must be one of auth, filter, pause, resume, not '" + type + "'");
        }
      } catch (ApiException bad) {
        refuse(bad);
      }
    }

    private void signIn(JsonNode message) {
      String key;
      try {
        key = Fields.optionalText(message, "key", "key", 512).orElse("");
      } catch (ApiException bad) {
        close(bad);
        return;
      }
      if (key.isEmpty()) {
        close(new ApiException(401, "unauthorized", "an admin key is required", "key"));
        return;
      }
      keys.authenticate(key)
          .whenComplete(
              (found, failure) -> {
                if (failure != null) {
                  log.warn("Checking a feed viewer's key failed", failure);
                  close(
                      new ApiException(
                          503, "unavailable", "the key could not be checked; try again", null));
                } else if (found.isEmpty()) {
                  close(
                      new ApiException(
                          401, "unauthorized", "the API key is unknown or revoked", "key"));
                } else if (!found.get().allows(Scope.ADMIN)) {
                  close(
                      new ApiException(
                          403,
                          "forbidden",
                          "API key " + found.get().id() + " lacks the scope admin",
                          "key"));
                } else {
                  presentedKey = key;
                  signedIn = true;
                  begin();
                }
              });
    }

    /** A revoked key, or one that lost its admin scope, stops seeing. */
    private void recheck() {
      String key = presentedKey;
      keys.authenticate(key)
          .thenAccept(
              found -> {
                if (found.isEmpty() || !found.get().allows(Scope.ADMIN)) {
                  close(
                      new ApiException(
                          401, "unauthorized", "the API key is unknown or revoked", "key"));
                }
              });
    }

    private void filter(JsonNode message) {
      String user = optionalId(message, "userId");
      String item = optionalId(message, "itemId");
      synchronized (this) {
        userFilter = user;
        itemFilter = item;
        offer(status());
      }
    }

    private String optionalId(JsonNode message, String field) {
      JsonNode v = message.get(field);
      if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) return null;
      if (!v.isTextual()) throw ApiException.invalid(field, field + " must be a string or null");
      return Fields.id(field, v.asText());
    }

    private synchronized void setPaused(boolean paused) {
      this.paused = paused;
      offer(status());
    }

    /** An entry from the feed, as the messages this viewer's filter lets through. */
    private void show(ActivityFeed.Entry entry) {
      if (paused) return;
      String user = userFilter;
      String item = itemFilter;
      if (entry instanceof ActivityFeed.Impressions i) {
        if (matches(user, item, i.userId(), i.itemIds())) offer(impression(i));
      } else if (entry instanceof ActivityFeed.Interactions batch) {
        for (ActivityFeed.Interaction i : batch.interactions()) {
          if (matches(user, item, i.userId(), List.of(i.itemId()))) offer(interaction(i));
        }
      } else if (entry instanceof ActivityFeed.Ranking r) {
        if (matches(user, item, r.userId(), r.itemIds())) offer(ranking(r));
      }
    }

    private synchronized void offer(Map<String, Object> message) {
      if (queue == null || stopped) return;
      QueueOfferResult result = queue.offer(text(message));
      if (result == QueueOfferResult.enqueued()) {
        sent.inc();
      } else if (result == QueueOfferResult.dropped()) {
        droppedHere++;
        dropped.inc();
      }
    }

    private void refuse(ApiException bad) {
      offer(errorOf(bad));
    }

    /** Tells the viewer why, and closes (completing the buffer ends the socket). */
    private synchronized void close(ApiException reason) {
      if (queue == null || stopped) return;
      queue.offer(text(errorOf(reason)));
      queue.complete();
      stopped = true;
    }

    void badMessage(Throwable failure) {
      Throwable e = ApiErrors.unwrap(failure);
      ApiException bad =
          e instanceof ApiException api
              ? api
              : ApiException.invalid(
                  "message",
                  "a message must be JSON text of at most " + MAX_MESSAGE_BYTES + " bytes");
      close(bad);
    }

    private Map<String, Object> status() {
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("type", "status");
      status.put("paused", paused);
      status.put("dropped", droppedHere);
      Map<String, Object> filter = new LinkedHashMap<>();
      filter.put("userId", userFilter);
      filter.put("itemId", itemFilter);
      status.put("filter", filter);
      return status;
    }
  }

  private static boolean matches(String user, String item, String userId, List<String> items) {
    return (user == null || user.equals(userId)) && (item == null || items.contains(item));
  }

  private JsonNode parse(String text) {
    try {
      return mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw ApiException.invalid("message", "a message must be a JSON object");
    }
  }

  private static Map<String, Object> impression(ActivityFeed.Impressions i) {
    Map<String, Object> m = entry("impression", i.atMillis(), i.userId());
    m.put("itemIds", shown(i.itemIds()));
    m.put("moreItems", Math.max(0, i.itemIds().size() - MAX_IDS_SHOWN));
    m.put("surface", i.surface());
    m.put("rankingId", i.rankingId());
    m.put("recorded", i.recorded());
    m.put("duplicates", i.duplicates());
    return m;
  }

  private static Map<String, Object> interaction(ActivityFeed.Interaction i) {
    Map<String, Object> m = entry("interaction", i.atMillis(), i.userId());
    m.put("itemId", i.itemId());
    m.put("kind", i.kind());
    m.put("rankingId", i.rankingId());
    m.put("position", i.position());
    m.put("intent", i.intent());
    m.put("value", i.value());
    return m;
  }

  private static Map<String, Object> ranking(ActivityFeed.Ranking r) {
    Map<String, Object> m = entry("ranking", r.atMillis(), r.userId());
    m.put("rankingId", r.rankingId());
    m.put("variant", r.variant());
    m.put("itemIds", shown(r.itemIds()));
    m.put("moreItems", Math.max(0, r.itemIds().size() - MAX_IDS_SHOWN));
    return m;
  }

  private static Map<String, Object> entry(String type, long atMillis, String userId) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.put("at", Instant.ofEpochMilli(atMillis).toString());
    m.put("userId", userId);
    return m;
  }

  private static List<String> shown(List<String> ids) {
    return ids.size() <= MAX_IDS_SHOWN ? ids : ids.subList(0, MAX_IDS_SHOWN);
  }

  private static Map<String, Object> errorOf(ApiException e) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", e.code());
    error.put("message", e.getMessage());
    if (e.field() != null) error.put("field", e.field());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "error");
    m.put("status", e.status());
    m.put("error", error);
    return m;
  }

  private TextMessage text(Map<String, Object> json) {
    return WebSocketText.json(mapper, json);
  }
}
