package dev.freshet.http.routes;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.http.api.ApiJson;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** What every resource's routes share: answering with the API's JSON. */
abstract class ApiRoutes extends AllDirectives {

  protected final ObjectMapper mapper;

  protected ApiRoutes(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  protected Route json(int status, Object body) {
    return complete(ApiJson.response(mapper, status, body));
  }
}
