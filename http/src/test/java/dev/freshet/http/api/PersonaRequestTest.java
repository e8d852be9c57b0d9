package dev.freshet.http.api;

import static dev.freshet.http.api.ParserTests.json;
import static dev.freshet.http.api.ParserTests.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.actors.features.Persona;
import org.junit.jupiter.api.Test;

class PersonaRequestTest {

  @Test
  void readsCategoriesTagsAndVectorWithoutRepeats() {
    Persona persona =
        PersonaRequest.parse(
            json("{'categories':['news','news','art'],'tags':['t'],'vector':[1,0]}"), 2);

    assertThat(persona.categories()).containsExactly("news", "art");
    assertThat(persona.tags()).containsExactly("t");
    assertThat(persona.vector()).containsExactly(1f, 0f);
  }

  @Test
  void aPersonaNeedsSomethingAndEveryBadFieldIsNamed() {
    refused(() -> PersonaRequest.parse(json("{}"), 2), "body");
    refused(() -> PersonaRequest.parse(json("{'categories':'news'}"), 2), "categories");
    refused(
        () -> PersonaRequest.parse(json("{'categories':['ok','a\\udc00']}"), 2), "categories[1]");
    refused(() -> PersonaRequest.parse(json("{'tags':[1]}"), 2), "tags[0]");
    refused(() -> PersonaRequest.parse(json("{'vector':[1]}"), 2), "vector");
    refused(() -> PersonaRequest.parse(json("{'vector':[1,'x']}"), 2), "vector[1]");
  }
}
