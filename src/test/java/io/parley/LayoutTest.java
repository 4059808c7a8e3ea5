package io.parley;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The layout's rules on the compiled server (ArchUnit): no cycle of imports between packages,
 * and the verticle packages (one per role) know each other only through the event bus.
 */
@DisplayName("The server's layout")
class LayoutTest {
  private static JavaClasses server;

  @BeforeAll
  static void importServer() {
    server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.parley");
  }

  @Test
  @DisplayName("no cycle of imports between packages")
  void noCycles() {
    slices().matching("io.parley.(**)").should().beFreeOfCycles().check(server);
  }

  @Test
  @DisplayName("no verticle package imports another (api, gateway, persistence, presence, mail)")
  void rolesApart() {
    slices().matching("io.parley.(api|gateway|persistence|presence|mail)..").namingSlices("$1")
        .should().notDependOnEachOther().check(server);
  }
}
