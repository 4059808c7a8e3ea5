package io.parley.support;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementNotInteractableException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's {@code chromium} with {@code chromedriver}) with its own
 * profile: a separate person in the browser tests. Waits are conditions, never sleeps.
 */
public final class Browser implements AutoCloseable {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  public final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /**
   * Starts a browser. Without Chromium the test is skipped on a developer machine and fails in
   * CI ({@code CI=true}), where {@code .ci/run} installs it.
   */
  public static Browser start() {
    boolean present = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("chromium and chromedriver are required in CI (apt-get install chromium chromium-driver)");
    }
    Assumptions.assumeTrue(present, "browser tests need Debian's chromium and chromium-driver");
    try {
      Path profile = Files.createTempDirectory("parley-chromium");
      ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments(
          "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
          "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--window-size=1100,720", "--user-data-dir=" + profile,
          // a microphone that plays a tone, granted without asking (voice messages)
          "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream");
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
      return new Browser(new ChromeDriver(service, options), profile);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public void open(String url) {
    driver.get(url);
  }

  public WebElement find(String css) {
    return waitFor(d -> {
      List<WebElement> found = d.findElements(By.cssSelector(css));
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }, "visible " + css);
  }

  public List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  public <T> T waitFor(Function<WebDriver, T> condition, String what) {
    // a wait of its own: nested waits must not overwrite each other's message
    WebDriverWait w = new WebDriverWait(driver, Duration.ofSeconds(20));
    // a live re-render may replace an element, or show it a moment later: retry, as a user would
    w.ignoring(StaleElementReferenceException.class);
    w.ignoring(ElementNotInteractableException.class);
    return w.withMessage(what).until(condition);
  }

  /** Waits until the element matching {@code css} has exactly this text. */
  public void waitText(String css, String text) {
    waitFor(d -> {
      List<WebElement> found = d.findElements(By.cssSelector(css));
      return !found.isEmpty() && text.equals(found.get(0).getText()) ? true : null;
    }, css + " to read '" + text + "'");
  }

  /** Types into a field; again from the start if a re-render replaced the element meanwhile. */
  public void type(String css, String text) {
    waitFor(d -> {
      WebElement input = find(css);
      input.clear();
      input.sendKeys(text);
      return true;
    }, "typed into " + css);
  }

  /** Clicks an element; again if a re-render replaced it between finding and clicking. */
  public void click(String css) {
    waitFor(d -> {
      find(css).click();
      return true;
    }, "clicked " + css);
  }

  /** Texts of the messages shown in the open room, in order (sent and pending). */
  @SuppressWarnings("unchecked")
  public List<String> messageBodies() {
    // one atomic read: the list is re-rendered on every event
    return (List<String>) driver.executeScript("return [...document.querySelectorAll("
        + "'[data-testid=messages] [data-testid=message-body]')].map(e => e.innerText)");
  }

  public void screenshot(Path to) {
    try {
      Files.createDirectories(to.getParent());
      Files.write(to, driver.getScreenshotAs(OutputType.BYTES));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean closed;

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    driver.quit();
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException ignored) {
      // temporary profile
    }
  }

  /** Signs up {@code username} (password "correct horse") in the web client at {@code baseUrl}; returns once connected. */
  public void signUp(String baseUrl, String username) {
    open(baseUrl);
    click("#login-form [data-show=signup-form]");
    type("#signup-form [name=email]", username + "@example.test");
    type("#signup-form [name=username]", username);
    type("#signup-form [name=password]", "correct horse");
    click("#signup-form button[type=submit]");
    waitText("[data-testid=me-name]", username);
    waitText("[data-testid=conn-status]", "connected");
  }

  /** Logs in as {@code email} with {@code password} at {@code baseUrl}; returns once connected. */
  public void logIn(String baseUrl, String email, String password) {
    open(baseUrl);
    type("#login-form [name=email]", email);
    type("#login-form [name=password]", password);
    click("#login-form button[type=submit]");
    waitText("[data-testid=conn-status]", "connected");
  }

  /** Logs in as {@code email} (password "correct horse", as support/Api registers) at {@code baseUrl}. */
  public void logIn(String baseUrl, String email) {
    logIn(baseUrl, email, "correct horse");
  }

  /** Sends {@code text} from the open room's composer: its lines joined with Shift+Enter, then Enter. */
  public void send(String text) {
    WebElement input = find("[data-testid=composer-input]");
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        input.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.SHIFT, org.openqa.selenium.Keys.ENTER));
      }
      input.sendKeys(lines[i]);
    }
    input.sendKeys(org.openqa.selenium.Keys.ENTER);
  }

  /** Opens a room from the room list and waits until it is the open one. */
  public void openRoom(long roomId) {
    click("[data-testid=room-item][data-room-id='" + roomId + "']");
    waitFor(d -> all("#room-list li.active [data-testid=room-item][data-room-id='" + roomId + "']").size() == 1 ? true : null,
        "room " + roomId + " open");
  }

  /** Creates a group room from the sidebar's New room form; its id once it is open. */
  public String createRoom(String name) {
    click("[data-testid=open-new-room]");
    type("#new-room-form [name=name]", name);
    click("#new-room-form button[type=submit]");
    waitText("[data-testid=room-name]", name);
    return find("#room-list li.active [data-testid=room-item]").getAttribute("data-room-id");
  }

  /** Joins a public room found by {@code name} in Browse; returns once it is open. */
  public void joinRoom(String roomId, String name) {
    click("[data-testid=open-browse]");
    type("#browse-form input", name);
    click("[data-testid=join][data-room-id='" + roomId + "']");
    waitText("[data-testid=room-name]", name);
  }

  /** The shown message whose text reads exactly {@code text} (waited for). */
  public WebElement messageWithText(String text) {
    return waitFor(d -> d.findElements(org.openqa.selenium.By.cssSelector("[data-testid=message]")).stream()
        .filter(m -> m.findElements(org.openqa.selenium.By.cssSelector("[data-testid=message-body]")).stream()
            .anyMatch(x -> text.equals(x.getText())))
        .findFirst().orElse(null), "a message reading '" + text + "'");
  }
}
