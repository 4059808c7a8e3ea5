package io.parley.api;

import io.vertx.core.file.FileSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.contract.SecurityRequirement;
import io.vertx.openapi.contract.SecurityScheme;
import io.vertx.openapi.contract.Server;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loaded contract, unchanged, except that its schema repository keeps the JSON Schema
 * validator of each schema once made.
 *
 * <p>vertx-openapi 5.0.8 asks the repository for a new validator for every parameter and body
 * of every request, and vertx-json-schema builds each one by copying the repository's whole
 * lookup map (every schema of the contract and the meta-schemas). A JFR profile of
 * {@code GET /rooms/{id}/messages} at 64 concurrent clients put two thirds of the server's samples
 * in that copy ({@code docs/benchmarks.md}). A validator depends only on its schema and holds no
 * per-call state, so one per schema object (the contract's schemas live as long as the router)
 * validates the same way.
 */
final class CachingContract implements OpenAPIContract {
  private final OpenAPIContract contract;
  private final SchemaRepository repository;

  CachingContract(OpenAPIContract contract) {
    this.contract = contract;
    this.repository = new CachingRepository(contract.getSchemaRepository());
  }

  @Override
  public SchemaRepository getSchemaRepository() {
    return repository;
  }

  @Override
  public Operation operation(String operationId) {
    return contract.operation(operationId);
  }

  @Override
  public List<Operation> operations() {
    return contract.operations();
  }

  @Override
  public List<Path> getPaths() {
    return contract.getPaths();
  }

  @Override
  public JsonObject getRawContract() {
    return contract.getRawContract();
  }

  @Override
  public OpenAPIVersion getVersion() {
    return contract.getVersion();
  }

  @Override
  public List<Server> getServers() {
    return contract.getServers();
  }

  @Override
  public Path findPath(String urlPath) {
    return contract.findPath(urlPath);
  }

  @Override
  public Operation findOperation(String urlPath, HttpMethod method) {
    return contract.findOperation(urlPath, method);
  }

  @Override
  public List<SecurityRequirement> getSecurityRequirements() {
    return contract.getSecurityRequirements();
  }

  @Override
  public SecurityScheme securityScheme(String name) {
    return contract.securityScheme(name);
  }

  /** Delegates everything; {@link #validator(JsonSchema)} is kept per schema object. */
  private static final class CachingRepository implements SchemaRepository {
    private final SchemaRepository repository;
    /** A bound in case a schema object were ever made per request: then nothing more is kept. */
    private static final int MAX_CACHED = 10_000;
    private final Map<JsonSchema, Validator> validators = new IdentityHashMap<>();

    CachingRepository(SchemaRepository repository) {
      this.repository = repository;
    }

    @Override
    public Validator validator(JsonSchema schema) {
      synchronized (validators) {
        Validator v = validators.get(schema);
        if (v == null) {
          v = repository.validator(schema);
          if (validators.size() < MAX_CACHED) {
            validators.put(schema, v);
          }
        }
        return v;
      }
    }

    @Override
    public SchemaRepository dereference(JsonSchema schema) throws SchemaException {
      repository.dereference(schema);
      return this;
    }

    @Override
    public SchemaRepository dereference(String uri, JsonSchema schema) throws SchemaException {
      repository.dereference(uri, schema);
      return this;
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs) {
      repository.preloadMetaSchema(fs);
      return this;
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs, Draft draft) {
      repository.preloadMetaSchema(fs, draft);
      return this;
    }

    @Override
    public Validator validator(String ref) {
      return repository.validator(ref);
    }

    @Override
    public Validator validator(String ref, JsonSchemaOptions options) {
      return repository.validator(ref, options);
    }

    @Override
    public Validator validator(JsonSchema schema, JsonSchemaOptions options, boolean dereference) {
      return repository.validator(schema, options, dereference);
    }

    @Override
    public JsonObject resolve(JsonObject schema) {
      return repository.resolve(schema);
    }

    @Override
    public JsonSchema find(String pointer) {
      return repository.find(pointer);
    }
  }
}
