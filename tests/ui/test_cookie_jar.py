"""The window's cookie jar: per environment and collection, saved, back after a restart.

Sends go through the REST tab, or a ``RestEngine`` given the workspace's jar as the tabs
give it theirs."""

from __future__ import annotations

import asyncio
import json
import stat

from PySide6.QtWidgets import QComboBox
from sample_copy import copy_sample
from ui_helpers import body_text, send, type_url

from apiclient.core.cookie_store import cookie_file, new_cookie, save_cookies
from apiclient.core.models import RestRequest
from apiclient.protocols.rest import RestEngine
from apiclient.ui.main_window import MainWindow

ENV = "Local mocks"


async def _get(jar, url: str) -> dict:
    engine = RestEngine(cookie_jar=jar)
    try:
        response = await engine.send(RestRequest(url=url))
    finally:
        await engine.aclose()
    assert response.status_code == 200
    return json.loads(response.body)


def _names(window: MainWindow) -> set[str]:
    return {c.name for c in window.workspace.cookie_jar}


def _choose(qtbot, window: MainWindow, environment: str) -> None:
    picker = window.findChild(QComboBox, "environment.picker")
    keeper = window.workspace.cookies
    with qtbot.waitSignal(keeper.switched):
        picker.setCurrentIndex(picker.findData(environment))


def test_a_change_just_before_quit_is_saved_at_shutdown(make_window, sample, run):
    window = make_window(sample)
    window.workspace.cookie_jar.set_cookie(new_cookie(domain="127.0.0.1", name="late", value="1"))
    run(window.shutdown())
    saved = json.loads(cookie_file(str(sample), ENV).read_text())
    assert [c["name"] for c in saved["cookies"]] == ["late"]


def test_each_environment_has_its_own_jar(qtbot, window, sample, run, rest_url):
    jar = window.workspace.cookie_jar
    run(_get(jar, f"{rest_url}/cookies/set?in_env=1"))
    _choose(qtbot, window, "")
    assert _names(window) == set()
    assert run(_get(jar, f"{rest_url}/cookies"))["cookies"] == {}
    run(_get(jar, f"{rest_url}/cookies/set?no_env=2"))
    _choose(qtbot, window, ENV)
    assert _names(window) == {"in_env"}
    _choose(qtbot, window, "")
    assert _names(window) == {"no_env"}
    assert cookie_file(str(sample), "").exists()


def test_a_burst_of_changes_is_written_once(qtbot, window, run):
    keeper = window.workspace.cookies
    written: list[None] = []
    keeper.saved.connect(lambda: written.append(None))
    with qtbot.waitSignal(keeper.saved, timeout=5000):
        for n in range(100):
            window.workspace.cookie_jar.set_cookie(
                new_cookie(domain="127.0.0.1", name=f"c{n}", value=str(n))
            )
    run(keeper.flush())  # nothing left to write
    assert len(written) == 1


def test_a_damaged_cookie_file_is_reported_and_kept(qtbot, make_window, sample, run):
    path = cookie_file(str(sample), ENV)
    path.parent.mkdir(parents=True)
    path.write_text("{damaged")
    window = make_window(sample)
    qtbot.waitUntil(lambda: "damaged" in window.statusBar().currentMessage())
    assert str(path) in window.statusBar().currentMessage()
    jar = window.workspace.cookie_jar
    jar.set_cookie(new_cookie(domain="127.0.0.1", name="from_response", value="1"))
    run(window.workspace.cookies.flush())
    assert path.read_text() == "{damaged"  # a response does not replace it
    window.workspace.cookies.user_changed()  # the user edits cookies: now it may
    run(window.workspace.cookies.flush())
    assert [c["name"] for c in json.loads(path.read_text())["cookies"]] == ["from_response"]
    (aside,) = path.parent.glob(f"{path.stem}.broken-*.json")  # kept for a person to see
    assert aside.read_text() == "{damaged"


def test_the_rest_tab_keeps_cookies_across_a_restart(qtbot, make_window, sample, run, rest_url):
    first = make_window(sample)
    type_url(qtbot, first, f"{rest_url}/cookies/set?via=tab")
    with qtbot.waitSignal(first.workspace.cookies.saved, timeout=5000):
        send(qtbot, first, "200")
    assert _names(first) == {"via"}
    path = cookie_file(str(sample), ENV)
    saved = json.loads(path.read_text())
    assert (saved["collection"], saved["environment"]) == (str(sample), ENV)
    assert [c["name"] for c in saved["cookies"]] == ["via"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # cookies are credentials
    first.close()
    run(first.shutdown())

    second = make_window(sample)
    qtbot.waitUntil(lambda: "via" in _names(second))
    type_url(qtbot, second, f"{rest_url}/cookies")
    send(qtbot, second, "200")
    qtbot.waitUntil(lambda: '"via"' in body_text(second))
    assert json.loads(body_text(second))["cookies"] == {"via": "tab"}


def test_a_renamed_environment_keeps_its_cookies(qtbot, window, sample, run):
    workspace = window.workspace
    workspace.cookie_jar.set_cookie(new_cookie(domain="127.0.0.1", name="kept", value="1"))
    run(workspace.cookies.flush())
    old_file = cookie_file(str(sample), ENV)
    assert old_file.exists()
    (env,) = workspace.environments()
    renamed = env.model_copy(update={"name": "Renamed"})
    store = workspace.store
    with qtbot.waitSignal(workspace.cookies.saved, timeout=5000):
        run(
            workspace.save_variables(
                workspace.globals, store.variables, [renamed], {"Renamed": ENV}
            )
        )
    assert workspace.cookies.environment == "Renamed"
    assert _names(window) == {"kept"}
    run(workspace.cookies.flush())
    assert not old_file.exists()
    saved = json.loads(cookie_file(str(sample), "Renamed").read_text())
    assert [c["name"] for c in saved["cookies"]] == ["kept"]


def test_a_cookie_set_on_a_worker_thread_is_saved(qtbot, window, sample, run):
    """The batch runner sends from worker threads: the jar tells the keeper from there."""
    jar = window.workspace.cookie_jar
    with qtbot.waitSignal(window.workspace.cookies.saved, timeout=5000):
        run(asyncio.to_thread(jar.set_cookie, new_cookie(domain="w.test", name="w", value="1")))
    saved = json.loads(cookie_file(str(sample), ENV).read_text())
    assert [c["name"] for c in saved["cookies"]] == ["w"]


def test_each_collection_has_its_own_jar(qtbot, window, sample, run, tmp_path, mock_urls):
    other = copy_sample(tmp_path / "other", mock_urls)
    keeper = window.workspace.cookies
    window.workspace.cookie_jar.set_cookie(new_cookie(domain="a.test", name="first", value="1"))
    assert run(window.open_collection(other))
    run(keeper.flush())  # every load done
    assert keeper.environment == ENV and _names(window) == set()
    assert run(window.open_collection(sample))
    qtbot.waitUntil(lambda: _names(window) == {"first"})


def _saved_names(sample, environment: str) -> set[str]:
    saved = json.loads(cookie_file(str(sample), environment).read_text())
    return {c["name"] for c in saved["cookies"]}


def test_cookies_arriving_while_a_switch_loads_stay_with_the_old_environment(
    qtbot, window, sample, run
):
    """Until the new jar is loaded, what arrives was sent before the switch."""
    jar, keeper = window.workspace.cookie_jar, window.workspace.cookies
    jar.set_cookie(new_cookie(domain="127.0.0.1", name="before", value="1"))
    run(keeper.flush())
    save_cookies(
        cookie_file(str(sample), ""),
        [new_cookie(domain="a.test", name="theirs", value="1")],
        str(sample),
        "",
    )
    picker = window.findChild(QComboBox, "environment.picker")
    with qtbot.waitSignal(keeper.switched):
        picker.setCurrentIndex(picker.findData(""))
        jar.set_cookie(new_cookie(domain="127.0.0.1", name="late", value="1"))  # in flight
    assert _names(window) == {"theirs"}
    run(keeper.flush())
    assert _saved_names(sample, ENV) == {"before", "late"}
    assert _saved_names(sample, "") == {"theirs"}


def test_a_switch_back_before_the_load_never_overwrites_the_unloaded_file(
    qtbot, window, sample, run
):
    jar, keeper = window.workspace.cookie_jar, window.workspace.cookies
    jar.set_cookie(new_cookie(domain="127.0.0.1", name="before", value="1"))
    run(keeper.flush())
    save_cookies(
        cookie_file(str(sample), ""),
        [new_cookie(domain="a.test", name="theirs", value="1")],
        str(sample),
        "",
    )
    picker = window.findChild(QComboBox, "environment.picker")
    picker.setCurrentIndex(picker.findData(""))  # its load is still queued...
    jar.set_cookie(new_cookie(domain="127.0.0.1", name="late", value="1"))
    with qtbot.waitSignal(keeper.switched):
        picker.setCurrentIndex(picker.findData(ENV))  # ...when the user switches back
    run(keeper.flush())
    assert _saved_names(sample, "") == {"theirs"}  # never replaced by a partial jar
    assert _saved_names(sample, ENV) == {"before", "late"}
    assert _names(window) == {"before", "late"}
