package io.parley.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.vertx.core.Vertx;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Parameter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The contract's validators are made once per schema and validate as before")
class CachingContractTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Api.await(vertx.close());
  }

  @Test
  @DisplayName("one validator per schema object; out-of-range and in-range values judged as the contract says")
  void validatorPerSchema() {
    OpenAPIContract contract = Api.await(Contract.load(vertx));
    SchemaRepository repository = contract.getSchemaRepository();
    Parameter limit = contract.operation("listMessages").getParameters().stream()
        .filter(p -> p.getName().equals("limit")).findFirst().orElseThrow();
    JsonSchema schema = limit.getSchema();

    assertSame(repository.validator(schema), repository.validator(schema), "kept once made");
    assertTrue(repository.validator(schema).validate(50).getValid());
    assertFalse(repository.validator(schema).validate(100_000).getValid(), "above the contract's maximum");
    assertFalse(repository.validator(schema).validate("fifty").getValid());
    JsonSchema other = contract.operation("listMessages").getParameters().stream()
        .filter(p -> p.getName().equals("before_seq")).findFirst().orElseThrow().getSchema();
    assertNotSame(repository.validator(schema), repository.validator(other));
  }
}
