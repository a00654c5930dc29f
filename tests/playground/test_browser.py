"""End to end in a real headless Chromium: the page trains, draws, uploads, exports; screenshots of its states.

Needs selenium (the test extra) and Debian's chromium + chromium-driver; selenium is given the driver's
path, so it never downloads one.  Screenshots go to the test's output folder (printed; set
NPGRAD_SCREENSHOTS to choose it).
"""
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

import npgrad
from npgrad.playground.server import make_server

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    pytest.skip("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
                allow_module_level=True)

FAST = "?dataset=circles&features=x1,x2,x1%5E2,x2%5E2&optimizer=adam&lr=0.03&hidden=4,2"


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = Path(os.environ.get("NPGRAD_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots in {folder}")
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    srv = make_server(port=0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    downloads = tmp_path_factory.mktemp("downloads")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"):
        opts.add_argument(flag)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    except Exception as exc:                         # noqa: BLE001 - report why, then skip
        srv.shutdown()
        srv.hub.stop()
        pytest.skip(f"Chromium would not start under selenium: {exc}")
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_window_size(1280, 800)
    yield driver, f"http://127.0.0.1:{srv.server_address[1]}/", downloads, srv
    driver.quit()
    srv.shutdown()
    srv.hub.stop()
    srv.server_close()


def until(predicate, timeout=60, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def text(driver, id_):
    return driver.find_element(By.ID, id_).text


def boundary_image(driver):
    return driver.execute_script("return document.getElementById('boundary').toDataURL()")


def summary(driver, page):
    found = driver.find_elements(By.CSS_SELECTOR, f"#page-{page} .summary")
    return found[0].text if found else ""


def severe_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_train_on_circles_boundary_changes_and_loss_falls(site, shots):
    driver, url, _, _ = site
    driver.get(url + FAST)
    until(lambda: text(driver, "test-loss") not in ("", "–"), what="the first frame")
    assert Select(driver.find_element(By.ID, "optimizer")).first_selected_option.text == "Adam"  # from the URL
    first_loss, before = float(text(driver, "test-loss").split()[0]), boundary_image(driver)
    driver.save_screenshot(str(shots / "01-start-1280.png"))
    driver.find_element(By.ID, "play").click()
    until(lambda: float(text(driver, "test-loss").split()[0]) < 0.15, timeout=120, what="test loss < 0.15")
    driver.find_element(By.ID, "play").click()
    assert int(text(driver, "epoch").replace(",", "")) > 0
    assert boundary_image(driver) != before
    assert float(text(driver, "test-loss").split()[0]) < first_loss
    points = driver.find_element(By.ID, "points")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", points)
    webdriver.ActionChains(driver).move_to_element_with_offset(points, 20, 20).click().perform()
    until(lambda: driver.find_elements(By.CSS_SELECTOR, "#graph svg .gnode"), what="the graph of one example")
    assert "loss" in text(driver, "inspect-title")
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(shots / "02-trained-1280.png"))
    driver.execute_script("document.querySelector('.engine').scrollIntoView()")
    time.sleep(0.3)
    driver.save_screenshot(str(shots / "03-engine-1280.png"))
    assert not severe_errors(driver)


def test_change_activation_updates_url_code_and_network(site):
    driver, url, _, srv = site
    driver.get(url + FAST)
    until(lambda: text(driver, "test-loss") not in ("", "–"), what="the first frame")
    Select(driver.find_element(By.ID, "activation")).select_by_value("relu")
    until(lambda: "activation=relu" in driver.current_url, what="the URL to follow the setting")
    until(lambda: "nn.ReLU()" in driver.find_element(By.ID, "code").get_attribute("textContent"),
          what="the code to follow the setting")
    driver.find_element(By.ID, "add-layer").click()
    until(lambda: "hidden=4%2C2%2C2" in driver.current_url or "hidden=4,2,2" in driver.current_url,
          what="a third layer")
    assert len(driver.find_elements(By.CSS_SELECTOR, ".node.neuron")) == 8
    sessions = [e.session for e in srv.hub.sessions.values()]
    assert any(s.config["activation"] == "relu" and s.config["hidden"] == [4, 2, 2] for s in sessions)


def test_upload_csv_good_and_bad(site, tmp_path, shots):
    driver, url, _, _ = site
    driver.get(url)
    until(lambda: text(driver, "test-loss") not in ("", "–"), what="the first frame")
    good = tmp_path / "points.csv"
    good.write_text("x1,x2,label\n" + "".join(f"{i % 7 - 3},{i % 5 - 2},{int((i % 7 - 3) * (i % 5 - 2) > 0)}\n"
                                              for i in range(80)))
    driver.find_element(By.ID, "csv").send_keys(str(good))
    until(lambda: "classification" in text(driver, "csv-note"), what="the CSV to load")
    assert "dataset=csv" in driver.current_url
    driver.find_element(By.ID, "step").click()
    until(lambda: text(driver, "epoch").endswith("001"), what="one epoch on the CSV")
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\n3,4\n")
    driver.find_element(By.ID, "csv").send_keys(str(bad))
    until(lambda: "expected 3 columns" in text(driver, "csv-note"), what="the error message")
    driver.save_screenshot(str(shots / "04-csv-error-1280.png"))


def test_export_downloads_a_model_npgrad_can_load(site):
    driver, url, downloads, _ = site
    driver.get(url + "?dataset=xor&hidden=5")
    until(lambda: text(driver, "test-loss") not in ("", "–"), what="the first frame")
    driver.find_element(By.ID, "step").click()
    until(lambda: text(driver, "epoch").endswith("001"), what="one epoch")
    driver.find_element(By.ID, "export").click()
    path = until(lambda: next((p for p in downloads.glob("*.safetensors")), None), what="the download")
    until(lambda: path.stat().st_size > 0 and not list(downloads.glob("*.crdownload")), what="a finished file")
    obj = npgrad.load(str(path))
    assert obj["model"]["0.weight"].shape == (5, 2) and '"dataset": "xor"' in obj["config"]
    driver.get(url)                                          # a fresh tab with the defaults imports it
    until(lambda: "dataset=circles" in driver.current_url, what="the default page")
    driver.find_element(By.ID, "import").send_keys(str(path))
    until(lambda: "dataset=xor" in driver.current_url and "hidden=5" in driver.current_url, what="the import")


def test_lab_pages_and_phone_width(site, shots):
    driver, url, _, _ = site
    driver.get_log("browser")                 # drain: the CSV test's expected 400 is logged there
    for page, ready in [("perceptron", "Converged"), ("gradient-descent", "η = 0.4"), ("softmax", "cross-entropy")]:
        driver.get(url + "#" + page)
        until(lambda: ready in summary(driver, page), what=page)
        driver.save_screenshot(str(shots / f"05-lab-{page}-1280.png"))
    driver.set_window_size(390, 844)
    try:
        driver.get(url + FAST)
        until(lambda: text(driver, "test-loss") not in ("", "–"), what="the first frame")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways at phone width ({width}px)"
        driver.save_screenshot(str(shots / "06-phone-top.png"))
        driver.execute_script("document.querySelector('.col-net').scrollIntoView()")
        driver.save_screenshot(str(shots / "07-phone-network.png"))
        driver.execute_script("document.querySelector('.col-out').scrollIntoView()")
        driver.save_screenshot(str(shots / "08-phone-output.png"))
        driver.get(url + "#softmax")
        until(lambda: "cross-entropy" in summary(driver, "softmax"), what="softmax at phone width")
        driver.save_screenshot(str(shots / "09-phone-softmax.png"))
    finally:
        driver.set_window_size(1280, 800)
    assert not severe_errors(driver)
