// bud serve's pages. The index and a decision's page follow the served folder (a long
// poll of /api/changes), so a save in any editor shows within a second. A decision's
// page lists its diagnostics and leads from each to its figures, switches and compares
// variants, and edits: every keystroke is checked by the server (/api/preview) and the
// tables follow; a save names the version it began from and is refused, never
// written, when the file changed on disk meanwhile.
"use strict";

(function () {
  const token = document.querySelector('meta[name="bud-token"]').content;
  const kind = document.body.dataset.page;
  let generation = null;
  // What tests and benchmarks read: each rendering's generation and time.
  window.budTimings = [];

  function byId(id) {
    return document.getElementById(id);
  }

  async function getJson(url, options) {
    const response = await fetch(url, Object.assign({ cache: "no-store" }, options || {}));
    const body = await response.json();
    return { status: response.status, body };
  }

  async function follow(onChange) {
    for (;;) {
      try {
        const url = generation === null ? "/api/changes" : `/api/changes?after=${generation}`;
        const { body } = await getJson(url);
        const first = generation === null;
        // Not the same generation: a change, or a restarted server counting anew.
        const changed = !first && body.generation !== generation;
        generation = body.generation;
        document.body.dataset.generation = String(generation);
        if (changed) {
          await onChange(body.paths, performance.now());
        }
      } catch (error) {
        // The server stopped or restarted: try again shortly.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  if (kind === "index") {
    follow(async (paths, started) => {
      const { body } = await getJson("/api/index");
      byId("index").innerHTML = body.html;
      window.budTimings.push({ generation, ms: performance.now() - started, at: performance.timeOrigin + performance.now() });
    });
    return;
  }
  if (kind !== "decision") {
    return;
  }

  const path = document.body.dataset.path;
  const encodedPath = path.split("/").map(encodeURIComponent).join("/");
  const initial = JSON.parse(byId("initial").textContent);
  const state = {
    variant: initial.variant || "",
    shown: initial,
    editing: false,
    dirty: false,
    base: null,
    conflict: false,
    previews: 0,
    previewTimer: null,
  };

  function variantQuery() {
    return state.variant ? `?variant=${encodeURIComponent(state.variant)}` : "";
  }

  function render(shown) {
    state.shown = shown;
    byId("document").innerHTML = shown.html || '<p class="unreadable">The decision could not be evaluated; its diagnostics say why.</p>';
    const status = byId("status");
    status.className = `badge ${shown.status}`;
    status.textContent = shown.sentence;
    renderVariants(shown);
    renderDiagnostics(shown.diagnostics);
    document.body.dataset.version = shown.version;
  }

  function renderVariants(shown) {
    const select = byId("variant");
    const compare = byId("compare");
    const wanted = shown.variants.map((v) => v.name || "").join("\n");
    if (select.dataset.names === wanted) {
      return;
    }
    select.dataset.names = wanted;
    const chosenCompare = compare.value;
    select.replaceChildren();
    compare.replaceChildren(new Option("nothing", "none"));
    for (const variant of shown.variants) {
      const errors = variant.errors === 0 ? "" : variant.errors === 1 ? " (1 error)" : ` (${variant.errors} errors)`;
      const label = (variant.name || "the decision") + errors;
      select.add(new Option(label, variant.name || "", false, (variant.name || "") === state.variant));
      compare.add(new Option(label, variant.name || ""));
    }
    compare.value = chosenCompare || "none";
  }

  function renderDiagnostics(diagnostics) {
    const list = byId("diagnostics");
    list.replaceChildren();
    const serious = diagnostics.filter((d) => d.severity !== "note");
    const notes = diagnostics.filter((d) => d.severity === "note");
    if (diagnostics.length === 0) {
      const none = document.createElement("p");
      none.className = "none";
      none.textContent = "Nothing to report: every stated figure reconciles.";
      list.append(none);
      return;
    }
    if (serious.length === 0) {
      const none = document.createElement("p");
      none.className = "none";
      none.textContent = "No errors.";
      list.append(none);
    }
    const items = document.createElement("ol");
    items.className = "diagnostics";
    serious.forEach((d) => items.append(diagnosticItem(d)));
    list.append(items);
    if (notes.length > 0) {
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = `${notes.length} note${notes.length === 1 ? "" : "s"} (differences rounding explains)`;
      details.append(summary);
      const noteItems = document.createElement("ol");
      noteItems.className = "diagnostics";
      notes.forEach((d) => noteItems.append(diagnosticItem(d)));
      details.append(noteItems);
      list.append(details);
    }
  }

  function diagnosticItem(diagnostic) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = `diagnostic ${diagnostic.severity}`;
    const head = document.createElement("span");
    head.className = "code";
    head.textContent = `${diagnostic.severity} ${diagnostic.code}` + (diagnostic.location ? ` · ${diagnostic.location}` : "");
    const message = document.createElement("span");
    message.className = "message";
    message.textContent = diagnostic.message;
    button.append(head, message);
    button.addEventListener("click", () => choose(diagnostic, button));
    item.append(button);
    if (diagnostic.help) {
      const help = document.createElement("p");
      help.className = "help";
      help.textContent = diagnostic.help;
      item.append(help);
    }
    return item;
  }

  // The figures (cells and values) written within a span.
  function figuresAt(start, end, file) {
    return Array.from(document.querySelectorAll("#document [data-at]")).filter((element) => {
      if ((element.dataset.file || null) !== (file || null)) {
        return false;
      }
      const [from, to] = element.dataset.at.split("-").map(Number);
      return from < end && start < to;
    });
  }

  function choose(diagnostic, button) {
    document.querySelectorAll(".chosen, .related").forEach((e) => e.classList.remove("chosen", "related"));
    document.querySelectorAll("button.diagnostic.active").forEach((e) => e.classList.remove("active"));
    button.classList.add("active");
    let first = null;
    diagnostic.spans.forEach(([start, end], index) => {
      for (const figure of figuresAt(start, end, diagnostic.file)) {
        figure.classList.add(index === 0 ? "chosen" : "related");
        first = first || figure;
      }
    });
    if (first) {
      first.scrollIntoView({ block: "center", behavior: "smooth" });
    }
    if (state.editing && diagnostic.spans.length > 0 && !diagnostic.file) {
      selectInSource(diagnostic.spans[0][0], diagnostic.spans[0][1]);
    }
  }

  // Spans are byte offsets in UTF-8; a textarea counts UTF-16 units.
  function selectInSource(start, end) {
    const text = byId("source").value;
    const encoder = new TextEncoder();
    let bytes = 0;
    let from = null;
    let to = text.length;
    for (let index = 0; index <= text.length; index++) {
      if (from === null && bytes >= start) from = index;
      if (bytes >= end) { to = index; break; }
      if (index < text.length) {
        const code = text.codePointAt(index);
        const character = String.fromCodePoint(code);
        bytes += encoder.encode(character).length;
        if (character.length === 2) index++;
      }
    }
    if (from !== null && from <= text.length) {
      const source = byId("source");
      source.setSelectionRange(from, Math.min(to, text.length));
    }
  }

  function gone(message) {
    const status = byId("status");
    status.className = "badge unreadable";
    status.textContent = `✗ ${message}`;
    byId("document").replaceChildren();
    const list = byId("diagnostics");
    const said = document.createElement("p");
    said.textContent = message;
    list.replaceChildren(said);
  }

  async function refresh(started) {
    const { status, body } = await getJson(`/api/decision/${encodedPath}${variantQuery()}`);
    if (status !== 200) {
      gone(status === 404
        ? "The file is gone: it was removed or renamed. The index lists the decisions there are now."
        : `The decision cannot be shown: ${body.error}`);
      return;
    }
    render(body);
    if (started !== undefined) {
      window.budTimings.push({ generation, ms: performance.now() - started, at: performance.timeOrigin + performance.now() });
    }
  }

  // The editor.
  function setEditorState(text, kind) {
    const element = byId("editor-state");
    element.textContent = text;
    element.className = kind || "";
  }

  async function loadSource() {
    const { status, body } = await getJson(`/api/source/${encodedPath}`);
    if (status !== 200) {
      setEditorState(body.error, "trouble");
      return;
    }
    byId("source").value = body.text;
    state.base = body.version;
    state.dirty = false;
    showConflict(false);
    setEditorState("Editing: the tables follow as you type; Save (Ctrl+S) writes the file.");
  }

  function showConflict(shown, message) {
    state.conflict = shown;
    const conflict = byId("conflict");
    conflict.hidden = !shown;
    if (!shown) {
      conflict.replaceChildren();
      return;
    }
    const text = document.createElement("p");
    text.textContent = message;
    const reload = document.createElement("button");
    reload.type = "button";
    reload.textContent = "Load the file as it is on disk (your changes are dropped)";
    reload.addEventListener("click", async () => {
      await loadSource();
      await refresh();
    });
    conflict.replaceChildren(text, reload);
  }

  async function preview() {
    const number = ++state.previews;
    const { body } = await getJson(`/api/preview/${encodedPath}${variantQuery()}`, {
      method: "POST",
      headers: { "X-Bud-Token": token, "Content-Type": "text/plain; charset=utf-8" },
      body: byId("source").value,
    });
    if (number === state.previews) {
      render(body);
    }
  }

  async function save() {
    if (!state.editing) {
      return;
    }
    const text = byId("source").value;
    const { status, body } = await getJson(`/api/save/${encodedPath}`, {
      method: "POST",
      headers: { "X-Bud-Token": token, "X-Bud-Version": state.base || "", "Content-Type": "text/plain; charset=utf-8" },
      body: text,
    });
    if (status === 200) {
      state.base = body.version;
      state.dirty = byId("source").value !== text;
      showConflict(false);
      setEditorState(`Saved at ${new Date().toLocaleTimeString()}.`, "saved");
    } else if (status === 409) {
      showConflict(true, "Not saved: the file changed on disk after you began editing, and saving would overwrite that change. Your text is still here; copy what you need, then load the file from disk.");
      setEditorState("Not saved: conflict with the file on disk.", "trouble");
    } else {
      setEditorState(`Not saved: ${body.error}`, "trouble");
    }
  }

  async function toggleEditor() {
    const editor = byId("editor");
    const button = byId("edit");
    if (state.editing && state.dirty && !window.confirm("Close the editor and drop your unsaved changes?")) {
      return;
    }
    state.editing = !state.editing;
    editor.hidden = !state.editing;
    button.setAttribute("aria-expanded", String(state.editing));
    button.textContent = state.editing ? "Close the editor" : "Edit";
    document.body.classList.toggle("editing", state.editing);
    if (state.editing) {
      await loadSource();
      byId("source").focus();
    } else {
      state.dirty = false;
      showConflict(false);
      await refresh();
    }
  }

  byId("edit").addEventListener("click", toggleEditor);
  byId("save").addEventListener("click", save);
  byId("discard").addEventListener("click", async () => {
    await loadSource();
    await refresh();
  });
  byId("source").addEventListener("input", () => {
    state.dirty = true;
    setEditorState("Unsaved changes: the tables show them; Save (Ctrl+S) writes the file.", "dirty");
    clearTimeout(state.previewTimer);
    state.previewTimer = setTimeout(preview, 120);
  });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      save();
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) {
      event.preventDefault();
    }
  });

  byId("variant").addEventListener("change", async (event) => {
    state.variant = event.target.value;
    if (state.editing && state.dirty) {
      await preview();
    } else {
      await refresh();
    }
    await compare();
  });

  async function compare() {
    const other = byId("compare").value;
    const section = byId("compared");
    if (other === "none") {
      section.hidden = true;
      return;
    }
    const query = `?left=${encodeURIComponent(state.variant)}&right=${encodeURIComponent(other)}`;
    const { body } = await getJson(`/api/compare/${encodedPath}${query}`);
    byId("differences").textContent = body.differences;
    byId("sides").innerHTML = body.html;
    section.hidden = false;
    section.scrollIntoView({ block: "start" });
  }
  byId("compare").addEventListener("change", compare);

  follow(async (paths, started) => {
    if (state.editing) {
      const { body } = await getJson(`/api/source/${encodedPath}`);
      const changedOnDisk = body.version && body.version !== state.base;
      if (changedOnDisk && state.dirty) {
        showConflict(true, "The file changed on disk while you were editing. Saving now would overwrite that change, so it will be refused; copy what you need, then load the file from disk.");
        return;
      }
      if (changedOnDisk) {
        await loadSource();
        setEditorState("The file changed on disk; the editor shows it as it is now.");
      } else if (state.dirty) {
        // Another file changed (an import, a data file): the tables follow the text here.
        await preview();
        return;
      }
    }
    await refresh(started);
    if (byId("compare").value !== "none") {
      await compare();
    }
  });

  render(initial);
})();
