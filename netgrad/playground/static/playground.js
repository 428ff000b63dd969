// netgrad playground: the page. Plain JavaScript, no libraries, no build step.
//
// The server owns the training state; this page sends commands over a WebSocket and draws the state it
// streams back (see docs/playground.md, "Protocol"). The URL's hash holds the whole configuration, so a
// reload (or a shared link) rebuilds the same network on the same data.
"use strict";

(() => {
  // Configuration fields and how the URL spells them.
  const FIELDS = {
    dataset: "str", problem: "str", noise: "int", train_ratio: "int", batch_size: "int", seed: "int",
    features: "strlist", hidden: "intlist", activation: "str", learning_rate: "float",
    regularization: "str", regularization_rate: "float", optimizer: "str",
  };
  const STORE_PREFIX = "netgrad-playground-upload:";
  const NEGATIVE = [245, 147, 34];
  const NEUTRAL = [232, 234, 235];
  const POSITIVE = [8, 119, 189];
  // Class colours: class 0 orange and class 1 blue, as the two-class colour scale.
  const CLASS_COLOURS = [
    [245, 147, 34], [8, 119, 189], [44, 160, 44], [214, 39, 40], [148, 103, 189],
    [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
  ];
  const NEW_LAYER_NEURONS = 2;

  const $ = (id) => document.getElementById(id);

  const page = {
    socket: null,
    session: null,
    options: null,
    config: null,
    pending: {},
    inflight: 0,
    configKey: "",
    data: null,
    frame: null,
    playing: false,
    showTest: false,
    discretize: false,
    uploadKey: null,
    uploadProblem: null,
    hovered: null,
    structureKey: "",
    nodes: null,
    links: [],
    drawPending: false,
    retryDelay: 500,
    statusTimer: null,
  };

  // ------------------------------------------------------------------ small helpers

  function clamp(x, low, high) {
    return Math.max(low, Math.min(high, x));
  }

  function mix(a, b, s) {
    return [a[0] + (b[0] - a[0]) * s, a[1] + (b[1] - a[1]) * s, a[2] + (b[2] - a[2]) * s];
  }

  // The diverging colour scale: -1 orange, 0 light grey, +1 blue.
  function colour(t) {
    t = clamp(t, -1, 1);
    return t < 0 ? mix(NEUTRAL, NEGATIVE, -t) : mix(NEUTRAL, POSITIVE, t);
  }

  function css(rgb) {
    return `rgb(${Math.round(rgb[0])},${Math.round(rgb[1])},${Math.round(rgb[2])})`;
  }

  function decode(base64) {
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }

  // A byte of a grid (0..255 over lo..hi) on the colour scale's -1..1.
  function unit(byte) {
    return byte / 127.5 - 1;
  }

  // A plain decimal number (no exponent): three decimals, or three significant digits below 0.001.
  function formatLoss(x) {
    if (x === null || x === undefined) return "NaN";
    if (x !== 0 && Math.abs(x) < 0.001) return x.toFixed(Math.min(20, 2 - Math.floor(Math.log10(Math.abs(x)))));
    return x.toFixed(3);
  }

  function status(message, isError = false, sticky = false) {
    const element = $("status");
    element.textContent = message;
    element.classList.toggle("error", isError);
    clearTimeout(page.statusTimer);
    if (!sticky && message) page.statusTimer = setTimeout(() => status(""), isError ? 8000 : 4000);
  }

  function send(message) {
    if (page.socket && page.socket.readyState === WebSocket.OPEN) page.socket.send(JSON.stringify(message));
  }

  // The configuration as it will be once the server has applied what this page sent: quick clicks build
  // on each other rather than on a state that is a message behind.
  function current() {
    return { ...page.config, ...page.pending };
  }

  function sendConfig(changes) {
    Object.assign(page.pending, changes);
    page.inflight += 1;
    send({ type: "config", config: changes });
  }

  function setEnabled(enabled) {
    for (const element of document.querySelectorAll("button, select, input")) element.disabled = !enabled;
    for (const link of document.querySelectorAll(".export a")) link.classList.toggle("disabled", !enabled);
  }

  // ------------------------------------------------------------------ the URL

  function hashOf(config) {
    const parts = [];
    for (const [key, kind] of Object.entries(FIELDS)) {
      const value = kind.endsWith("list") ? config[key].join(",") : config[key];
      parts.push(`${key}=${encodeURIComponent(value)}`);
    }
    parts.push(`show_test=${page.showTest ? 1 : 0}`, `discretize=${page.discretize ? 1 : 0}`);
    if (config.dataset === "upload" && page.uploadKey) parts.push(`upload=${page.uploadKey}`);
    return "#" + parts.join("&");
  }

  function parseHash(hash) {
    const config = {};
    const flags = { show_test: false, discretize: false, upload: null };
    const ignored = [];
    for (const part of hash.replace(/^#/, "").split("&")) {
      if (!part) continue;
      const at = part.indexOf("=");
      const key = decodeURIComponent(at < 0 ? part : part.slice(0, at));
      const text = at < 0 ? "" : decodeURIComponent(part.slice(at + 1));
      if (key === "show_test" || key === "discretize") {
        flags[key] = text === "1" || text === "true";
      } else if (key === "upload") {
        flags.upload = text;
      } else if (key in FIELDS) {
        const kind = FIELDS[key];
        let value;
        if (kind === "int") value = /^-?\d+$/.test(text) ? Number(text) : NaN;
        else if (kind === "float") value = text.trim() === "" ? NaN : Number(text);
        else if (kind === "strlist") value = text ? text.split(",") : [];
        else if (kind === "intlist") value = text ? text.split(",").map((s) => (/^\d+$/.test(s) ? Number(s) : NaN)) : [];
        else value = text;
        if ((typeof value === "number" && !Number.isFinite(value)) || (Array.isArray(value) && value.some((v) => Number.isNaN(v)))) {
          ignored.push(key);
        } else {
          config[key] = value;
        }
      } else {
        ignored.push(key);
      }
    }
    return { config, flags, ignored };
  }

  function writeHash() {
    if (!page.config) return;
    const hash = hashOf(page.config);
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }

  // Start (or restart, after the hash changed) from the configuration in the URL; what it leaves out is the
  // default, so a shared link means the same network whatever the page showed before.
  async function applyHash() {
    const parsed = parseHash(location.hash);
    const { flags, ignored } = parsed;
    const config = { ...page.options.defaults, ...parsed.config };
    page.showTest = flags.show_test;
    page.discretize = flags.discretize;
    $("show-test").checked = page.showTest;
    $("discretize").checked = page.discretize;
    if (ignored.length) status(`Ignored unreadable URL settings: ${ignored.join(", ")}`, true);
    if (config.dataset === "upload") {
      const text = flags.upload ? localStorage.getItem(STORE_PREFIX + flags.upload) : null;
      const restored = text !== null && (await uploadText(text, "restored.csv", flags.upload));
      if (!restored) {
        config.dataset = page.options.defaults.dataset;
        config.problem = page.options.defaults.problem;
        status("The uploaded CSV of this link is not stored in this browser; showing a built-in dataset instead.", true);
      }
    }
    sendConfig(config);
    scheduleDraw();
  }

  // ------------------------------------------------------------------ uploads

  function storageKey(text) {
    // FNV-1a: a short, stable name for the CSV in this browser's storage.
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash.toString(16).padStart(8, "0") + text.length.toString(16);
  }

  async function uploadText(text, filename, key = null) {
    if (!page.session) return false;
    const form = new FormData();
    form.append("file", new Blob([text], { type: "text/csv" }), filename);
    let response;
    try {
      response = await fetch(`/api/sessions/${page.session}/upload`, { method: "POST", body: form });
    } catch (error) {
      status(`Upload failed: ${error}`, true);
      return false;
    }
    const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (!response.ok) {
      status(`Upload refused: ${body.error}`, true);
      return false;
    }
    page.uploadKey = key || storageKey(text);
    page.uploadProblem = body.problem;
    if (page.config) {  // the new state may have come before this answer: name the upload in the URL now
      syncControls(page.config);
      writeHash();
    }
    try {
      localStorage.setItem(STORE_PREFIX + page.uploadKey, text);
    } catch (error) {
      status("Uploaded, but the CSV is too large to keep in this browser: a reload will not bring it back.", true);
    }
    const classes = body.classes.length ? `, ${body.classes.length} classes` : "";
    status(`Uploaded ${body.n_samples} points (${body.problem}${classes}).`);
    return true;
  }

  // ------------------------------------------------------------------ controls

  function fillSelect(select, items) {
    select.textContent = "";
    for (const item of items) {
      const option = document.createElement("option");
      option.value = String(item.value);
      option.textContent = item.label;
      if (item.disabled) option.disabled = true;
      select.appendChild(option);
    }
  }

  function selectValue(select, value, label) {
    const text = String(value);
    if (![...select.options].some((o) => o.value === text)) {
      const option = document.createElement("option");
      option.value = text;
      option.textContent = label || text;
      select.appendChild(option);
    }
    select.value = text;
  }

  function buildMenus(options) {
    const datasets = options.datasets.map((d) => ({ value: d.value, label: `${d.label} (${d.problem})` }));
    datasets.push({ value: "upload", label: "Uploaded CSV", disabled: true });
    fillSelect($("dataset"), datasets);
    fillSelect($("learning-rate"), options.learning_rates.map((r) => ({ value: r, label: String(r) })));
    fillSelect($("activation"), options.activations.map((a) => ({ value: a, label: a === "relu" ? "ReLU" : a === "tanh" ? "Tanh" : a[0].toUpperCase() + a.slice(1) })));
    fillSelect($("optimizer"), options.optimizers);
    fillSelect($("regularization"), options.regularizations.map((r) => ({ value: r, label: r === "none" ? "None" : r.toUpperCase() })));
    fillSelect($("regularization-rate"), options.regularization_rates.map((r) => ({ value: r, label: String(r) })));
    fillSelect($("problem"), options.problems.map((p) => ({ value: p, label: p[0].toUpperCase() + p.slice(1) })));
  }

  function syncControls(config) {
    const uploadOption = [...$("dataset").options].find((o) => o.value === "upload");
    if (uploadOption) uploadOption.disabled = !page.uploadProblem;
    selectValue($("dataset"), config.dataset);
    selectValue($("learning-rate"), config.learning_rate);
    selectValue($("activation"), config.activation);
    selectValue($("optimizer"), config.optimizer);
    selectValue($("regularization"), config.regularization);
    selectValue($("regularization-rate"), config.regularization_rate);
    selectValue($("problem"), config.problem);
    $("train-ratio").value = config.train_ratio;
    $("train-ratio-value").textContent = config.train_ratio;
    $("noise").value = config.noise;
    $("noise-value").textContent = config.noise;
    $("batch-size").value = config.batch_size;
    $("batch-size-value").textContent = config.batch_size;
    $("layer-count").textContent = config.hidden.length;
    $("layer-noun").textContent = config.hidden.length === 1 ? "hidden layer" : "hidden layers";
    $("add-layer").disabled = config.hidden.length >= page.options.max_hidden_layers;
    $("remove-layer").disabled = config.hidden.length === 0;
  }

  function bindControls() {
    $("play").addEventListener("click", () => send({ type: "play" }));
    $("pause").addEventListener("click", () => send({ type: "pause" }));
    $("step").addEventListener("click", () => send({ type: "step" }));
    $("reset").addEventListener("click", () => send({ type: "reset" }));
    $("regenerate").addEventListener("click", () => send({ type: "regenerate" }));
    $("dataset").addEventListener("change", (event) => {
      const value = event.target.value;
      if (value === "upload") {
        sendConfig({ dataset: "upload", problem: page.uploadProblem });
      } else {
        const dataset = page.options.datasets.find((d) => d.value === value);
        sendConfig({ dataset: value, problem: dataset.problem });
      }
    });
    $("problem").addEventListener("change", (event) => {
      const problem = event.target.value;
      if (current().dataset === "upload") {
        sendConfig({ problem });
      } else {
        const first = page.options.datasets.find((d) => d.problem === problem);
        sendConfig({ dataset: first.value, problem });
      }
    });
    $("learning-rate").addEventListener("change", (e) => sendConfig({ learning_rate: Number(e.target.value) }));
    $("activation").addEventListener("change", (e) => sendConfig({ activation: e.target.value }));
    $("optimizer").addEventListener("change", (e) => sendConfig({ optimizer: e.target.value }));
    $("regularization").addEventListener("change", (e) => sendConfig({ regularization: e.target.value }));
    $("regularization-rate").addEventListener("change", (e) => sendConfig({ regularization_rate: Number(e.target.value) }));
    for (const [id, field] of [["train-ratio", "train_ratio"], ["noise", "noise"], ["batch-size", "batch_size"]]) {
      $(id).addEventListener("input", (e) => { $(`${id}-value`).textContent = e.target.value; });
      $(id).addEventListener("change", (e) => sendConfig({ [field]: Number(e.target.value) }));
    }
    $("add-layer").addEventListener("click", () => {
      const hidden = current().hidden;
      if (hidden.length < page.options.max_hidden_layers) {
        sendConfig({ hidden: [...hidden, NEW_LAYER_NEURONS] });
      }
    });
    $("remove-layer").addEventListener("click", () => {
      const hidden = current().hidden;
      if (hidden.length > 0) sendConfig({ hidden: hidden.slice(0, -1) });
    });
    $("show-test").addEventListener("change", (e) => { page.showTest = e.target.checked; writeHash(); scheduleDraw(); });
    $("discretize").addEventListener("change", (e) => { page.discretize = e.target.checked; writeHash(); scheduleDraw(); });
    $("upload").addEventListener("change", async (event) => {
      const file = event.target.files[0];
      event.target.value = "";
      if (!file) return;
      if (await uploadText(await file.text(), file.name)) scheduleDraw();
    });
    $("script-api").addEventListener("change", updateExportLinks);
    window.addEventListener("hashchange", () => {
      if (page.config && location.hash !== hashOf(page.config)) applyHash();
    });
    window.addEventListener("resize", () => { page.structureKey = ""; scheduleDraw(); });
  }

  function updateExportLinks() {
    if (!page.session) return;
    const api = $("script-api").value;
    $("download-model").href = `/api/sessions/${page.session}/model.netgrad`;
    $("download-script").href = `/api/sessions/${page.session}/script.py?api=${api}`;
    $("download-script").setAttribute("download", `playground_${api}.py`);
  }

  function changeNeurons(layer, delta) {
    const before = current().hidden;
    if (layer >= before.length) return;
    const hidden = [...before];
    hidden[layer] = clamp(hidden[layer] + delta, 1, page.options.max_neurons);
    if (hidden[layer] !== before[layer]) sendConfig({ hidden });
  }

  function toggleFeature(name) {
    const chosen = current().features;
    if (chosen.includes(name)) {
      if (chosen.length === 1) {
        status("The network needs at least one input feature.", true);
        return;
      }
      sendConfig({ features: chosen.filter((f) => f !== name) });
    } else {
      // Keep the page's order of features.
      const order = page.options.features.map((f) => f.value);
      sendConfig({ features: order.filter((f) => f === name || chosen.includes(f)) });
    }
  }

  // ------------------------------------------------------------------ the network diagram

  function element(tag, className, parent) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (parent) parent.appendChild(node);
    return node;
  }

  function neuronNode(parent, kind, layer, index) {
    const node = element("div", "node", parent);
    const canvas = element("canvas", "", node);
    canvas.width = canvas.height = 1;
    node.addEventListener("mouseenter", () => { page.hovered = { kind, layer, index }; node.classList.add("hovered"); scheduleDraw(); });
    node.addEventListener("mouseleave", () => { page.hovered = null; node.classList.remove("hovered"); scheduleDraw(); });
    return node;
  }

  function buildNetwork(frame) {
    const network = $("network");
    for (const old of [...network.querySelectorAll(".layer")]) old.remove();
    const config = frame.config;
    const nodes = { inputs: [], layers: [], sparklines: [] };

    const inputLayer = element("div", "layer feature-layer", network);
    element("div", "layer-title", inputLayer).textContent = "";
    element("div", "layer-buttons", inputLayer);
    for (const feature of page.options.features) {
      const on = config.features.includes(feature.value);
      const item = element("div", `feature-node${on ? "" : " off"}`, inputLayer);
      item.title = on ? `${feature.label}: click to stop using it` : `${feature.label}: click to use it`;
      item.dataset.feature = feature.value;
      element("span", "feature-label", item).textContent = feature.label;
      const index = config.features.indexOf(feature.value);
      const node = on ? neuronNode(item, "feature", 0, index) : element("div", "node", item);
      if (!on) element("canvas", "", node);
      item.tabIndex = 0;
      item.setAttribute("role", "switch");
      item.setAttribute("aria-checked", String(on));
      item.addEventListener("click", () => toggleFeature(feature.value));
      item.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          toggleFeature(feature.value);
        }
      });
      if (on) nodes.inputs[index] = node;
    }

    const widths = frame.layers.slice(1);
    widths.forEach((width, layer) => {
      const isOutput = layer === widths.length - 1;
      const column = element("div", `layer ${isOutput ? "output-layer" : "hidden-layer"}`, network);
      element("div", "layer-title", column).textContent = isOutput
        ? (width > 1 ? `${width} outputs` : "output")
        : `${width} neuron${width === 1 ? "" : "s"}`;
      const buttons = element("div", "layer-buttons", column);
      if (!isOutput) {
        const plus = element("button", "round small", buttons);
        plus.type = "button";
        plus.textContent = "+";
        plus.title = "Add a neuron";
        plus.disabled = width >= page.options.max_neurons;
        plus.addEventListener("click", () => changeNeurons(layer, +1));
        const minus = element("button", "round small", buttons);
        minus.type = "button";
        minus.textContent = "\u2212";
        minus.title = "Remove a neuron";
        minus.disabled = width <= 1;
        minus.addEventListener("click", () => changeNeurons(layer, -1));
      }
      const layerNodes = [];
      for (let i = 0; i < width; i++) layerNodes.push(neuronNode(column, isOutput ? "output" : "neuron", layer, i));
      nodes.layers.push(layerNodes);
      const spark = element("canvas", "sparkline", column);
      spark.width = 120;
      spark.height = 64;
      element("div", "sparkline-label", column).textContent = "\u2016\u2207\u2016";
      nodes.sparklines.push(spark);
    });
    page.nodes = nodes;
    buildLinks(frame);
  }

  function buildLinks(frame) {
    const svg = $("links");
    svg.textContent = "";
    page.links = [];
    const box = $("network").getBoundingClientRect();
    const centre = (node, side) => {
      const r = node.getBoundingClientRect();
      return [(side > 0 ? r.right : r.left) - box.left, r.top + r.height / 2 - box.top];
    };
    const sources = [page.nodes.inputs, ...page.nodes.layers.slice(0, -1)];
    sources.forEach((from, layer) => {
      const to = page.nodes.layers[layer];
      to.forEach((target, i) => {
        from.forEach((source, j) => {
          const [x1, y1] = centre(source, +1);
          const [x2, y2] = centre(target, -1);
          const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
          const middle = (x1 + x2) / 2;
          path.setAttribute("d", `M${x1},${y1} C${middle},${y1} ${middle},${y2} ${x2},${y2}`);
          const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
          path.appendChild(title);
          svg.appendChild(path);
          page.links.push({ path, title, layer, i, j });
        });
      });
    });
  }

  function drawLinks(frame) {
    for (const link of page.links) {
      const w = frame.weights[link.layer][link.i][link.j];
      link.path.setAttribute("stroke", css(colour(w)));
      link.path.setAttribute("stroke-width", (0.6 + 5 * Math.min(Math.abs(w), 1)).toFixed(2));
      link.title.textContent = `weight ${w.toFixed(3)}`;
    }
  }

  // ------------------------------------------------------------------ heatmaps and charts

  function paintGrid(canvas, size, pixel) {
    if (canvas.width !== size) canvas.width = canvas.height = size;
    const context = canvas.getContext("2d");
    const image = context.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const rgb = pixel(i);
      image.data[4 * i] = rgb[0];
      image.data[4 * i + 1] = rgb[1];
      image.data[4 * i + 2] = rgb[2];
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }

  function scalePixel(bytes) {
    return page.discretize ? (i) => colour(bytes[i] >= 128 ? 1 : -1) : (i) => colour(unit(bytes[i]));
  }

  // The output's colour at grid point i: P(class 1), the most likely class, or the regression value.
  function outputPixel(frame) {
    const channels = frame.outputBytes;
    if (channels.length === 1) return scalePixel(channels[0]);
    const k = channels.length;
    return (i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (channels[c][i] > channels[best][i]) best = c;
      const p = channels[best][i] / 255;
      const strength = page.discretize ? 1 : clamp((p - 1 / k) / (1 - 1 / k), 0, 1);
      return mix(NEUTRAL, CLASS_COLOURS[best % CLASS_COLOURS.length], strength);
    };
  }

  function pointColour(label, data) {
    if (data.problem === "regression") return colour(label / data.target_scale);
    return CLASS_COLOURS[label % CLASS_COLOURS.length];
  }

  function drawHeatmap(frame) {
    const canvas = $("heatmap");
    const context = canvas.getContext("2d");
    const hovered = page.hovered;
    const offscreen = drawHeatmap.offscreen || (drawHeatmap.offscreen = document.createElement("canvas"));
    let size = frame.grid.neuron_size;
    let pixel;
    let caption = "";
    if (hovered && hovered.kind === "neuron" && frame.neuronBytes[hovered.layer]) {
      pixel = scalePixel(frame.neuronBytes[hovered.layer][hovered.index]);
      caption = `neuron ${hovered.index + 1} of hidden layer ${hovered.layer + 1}`;
    } else if (hovered && hovered.kind === "feature" && frame.featureBytes[hovered.index]) {
      pixel = scalePixel(frame.featureBytes[hovered.index]);
      caption = `feature ${frame.config.features[hovered.index]}`;
    } else {
      size = frame.grid.size;
      pixel = outputPixel(frame);
    }
    // Lighter than the points drawn on it, so that the points stand out.
    paintGrid(offscreen, size, (i) => mix(pixel(i), [255, 255, 255], 0.3));
    $("heatmap-caption").textContent = caption;
    context.imageSmoothingEnabled = true;
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(offscreen, 0, 0, canvas.width, canvas.height);
    const data = page.data;
    if (!data) return;
    const [x1min, x1max, x2min, x2max] = data.domain;
    const toX = (x) => ((x - x1min) / (x1max - x1min)) * canvas.width;
    const toY = (y) => ((x2max - y) / (x2max - x2min)) * canvas.height;
    const drawPoints = (points, stroke) => {
      context.lineWidth = 1;
      context.strokeStyle = stroke;
      for (let i = 0; i < points.y.length; i++) {
        const [x, y] = points.x[i];
        context.beginPath();
        context.arc(toX(x), toY(y), 3.5, 0, 2 * Math.PI);
        context.fillStyle = css(pointColour(points.y[i], data));
        context.fill();
        context.stroke();
      }
    };
    drawPoints(data.train, "#fff");
    if (page.showTest) drawPoints(data.test, "#000");
  }

  function drawLossChart(frame) {
    const canvas = $("loss-chart");
    const context = canvas.getContext("2d");
    const { width, height } = canvas;
    context.clearRect(0, 0, width, height);
    const history = frame.history;
    const finite = [...history.train_loss, ...history.test_loss].filter((v) => v !== null && Number.isFinite(v));
    const top = finite.length ? Math.max(...finite) : 1;
    const last = history.epoch[history.epoch.length - 1] || 1;
    const line = (values, stroke) => {
      context.beginPath();
      context.strokeStyle = stroke;
      context.lineWidth = 1.5;
      let started = false;
      values.forEach((v, n) => {
        if (v === null) { started = false; return; }
        const x = (history.epoch[n] / last) * (width - 2) + 1;
        const y = height - 2 - (v / (top || 1)) * (height - 4);
        if (started) context.lineTo(x, y); else context.moveTo(x, y);
        started = true;
      });
      context.stroke();
    };
    line(history.test_loss, "#999");
    line(history.train_loss, "#000");
  }

  function logNorm(v) {
    return v !== null && v > 0 ? Math.log10(v) : null;
  }

  // One log scale for every layer's sparkline, so that their heights compare: a first layer whose line
  // sits far below the last one has a vanishing gradient.
  function sparklineRange(norms) {
    const finite = norms.flat().map(logNorm).filter((v) => v !== null);
    if (!finite.length) return null;
    let low = Math.min(...finite);
    let high = Math.max(...finite);
    if (high - low < 1) { const middle = (high + low) / 2; low = middle - 0.5; high = middle + 0.5; }
    return [low, high];
  }

  function drawSparkline(canvas, values, range) {
    const context = canvas.getContext("2d");
    const { width, height } = canvas;
    context.clearRect(0, 0, width, height);
    const logs = values.map(logNorm);
    const latest = values.length ? values[values.length - 1] : null;
    canvas.title = latest === null ? "gradient norm: no epochs yet"
      : `gradient norm ${latest.toExponential(2)} (log scale, shared by all layers)`;
    if (!range) return;
    const [low, high] = range;
    context.beginPath();
    context.strokeStyle = "#183d4e";
    context.lineWidth = 2;
    let started = false;
    logs.forEach((v, n) => {
      if (v === null) { started = false; return; }
      const x = values.length === 1 ? width / 2 : (n / (values.length - 1)) * (width - 4) + 2;
      const y = height - 3 - ((v - low) / (high - low)) * (height - 6);
      if (started) context.lineTo(x, y); else context.moveTo(x, y);
      started = true;
    });
    context.stroke();
  }

  function drawLegend(frame) {
    const data = page.data;
    const legend = $("legend");
    const key = data ? `${data.problem}:${data.classes.join(",")}:${data.target_scale}` : "";
    if (legend.dataset.key === key) return;
    legend.dataset.key = key;
    legend.textContent = "";
    if (!data) return;
    if (data.problem === "regression" || data.classes.length <= 2) {
      const low = data.problem === "regression" ? (-data.target_scale).toPrecision(2) : `class ${data.classes[0]}`;
      const high = data.problem === "regression" ? data.target_scale.toPrecision(2) : `class ${data.classes[1]}`;
      element("span", "", legend).textContent = low;
      element("span", "bar", legend);
      element("span", "", legend).textContent = high;
    } else {
      data.classes.forEach((name, k) => {
        const item = element("span", "", legend);
        element("span", "swatch", item).style.background = css(CLASS_COLOURS[k % CLASS_COLOURS.length]);
        item.appendChild(document.createTextNode(name));
      });
    }
  }

  function drawAxes() {
    const data = page.data;
    if (!data) return;
    const text = (x) => (Math.abs(x) >= 100 ? x.toPrecision(3) : Number(x.toFixed(1)).toString());
    $("x-min").textContent = text(data.domain[0]);
    $("x-max").textContent = text(data.domain[1]);
    $("y-min").textContent = text(data.domain[2]);
    $("y-max").textContent = text(data.domain[3]);
  }

  function draw() {
    page.drawPending = false;
    const frame = page.frame;
    if (!frame) return;
    const key = JSON.stringify([frame.config.features, frame.layers, window.innerWidth]);
    if (key !== page.structureKey) {
      page.structureKey = key;
      buildNetwork(frame);
    }
    drawLinks(frame);
    page.nodes.inputs.forEach((node, i) => paintGrid(node.querySelector("canvas"), frame.grid.neuron_size, scalePixel(frame.featureBytes[i])));
    page.nodes.layers.forEach((layerNodes, layer) => {
      const isOutput = layer === page.nodes.layers.length - 1;
      layerNodes.forEach((node, i) => {
        const canvas = node.querySelector("canvas");
        if (isOutput) {
          const bytes = frame.outputBytes[Math.min(i, frame.outputBytes.length - 1)];
          paintGrid(canvas, frame.grid.size, scalePixel(bytes));
        } else {
          paintGrid(canvas, frame.grid.neuron_size, scalePixel(frame.neuronBytes[layer][i]));
        }
      });
    });
    const range = sparklineRange(frame.gradient_norms);
    page.nodes.sparklines.forEach((canvas, layer) => drawSparkline(canvas, frame.gradient_norms[layer] || [], range));
    drawHeatmap(frame);
    drawLossChart(frame);
    drawLegend(frame);
    drawAxes();
  }

  function scheduleDraw() {
    if (page.drawPending || !page.frame) return;
    page.drawPending = true;
    requestAnimationFrame(draw);
  }

  // ------------------------------------------------------------------ messages from the server

  function onState(message) {
    message.outputBytes = message.output.map((channel) => decode(channel.values));
    message.featureBytes = message.features.map(decode);
    message.neuronBytes = message.neurons.map((layer) => layer.map(decode));
    page.frame = message;
    page.playing = message.playing;
    // The numbers are written at once (tests and screen readers read them); the pictures wait for a frame.
    $("epoch").textContent = String(message.epoch);
    $("train-loss").textContent = formatLoss(message.train_loss);
    $("test-loss").textContent = formatLoss(message.test_loss);
    $("play").classList.toggle("active", message.playing);
    const key = JSON.stringify(message.config);
    for (const field of Object.keys(page.pending)) {
      if (JSON.stringify(message.config[field]) === JSON.stringify(page.pending[field])) delete page.pending[field];
    }
    if (page.inflight === 0) page.pending = {};  // every request answered: the server's state stands
    if (key !== page.configKey) {
      page.configKey = key;
      page.config = message.config;
      syncControls(message.config);
      writeHash();
    }
    if (!document.body.dataset.ready) {
      setEnabled(true);
      syncControls(message.config);
      document.body.dataset.ready = "1";
    }
    scheduleDraw();
  }

  function onMessage(event) {
    const message = JSON.parse(event.data);
    switch (message.type) {
      case "hello":
        page.session = message.session;
        page.options = message.options;
        page.uploadProblem = null;  // a new session has no upload until applyHash restores it
        page.pending = {};
        page.inflight = 0;
        buildMenus(message.options);
        updateExportLinks();
        status("Connected.");
        applyHash();
        break;
      case "data":
        page.data = message;
        scheduleDraw();
        break;
      case "state":
        onState(message);
        break;
      case "ok":
        if (message.request === "config") page.inflight = Math.max(0, page.inflight - 1);
        break;
      case "error":
        if (message.request === "config") {
          page.inflight = Math.max(0, page.inflight - 1);
          page.pending = {};  // refused: the server's configuration stands
        }
        status(message.message, true);
        break;
      default:
        break;
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws`);
    page.socket = socket;
    socket.addEventListener("open", () => { page.retryDelay = 500; });
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", () => {
      if (page.socket !== socket) return;
      setEnabled(false);
      delete document.body.dataset.ready;
      page.session = null;
      status(`Disconnected from the playground server; retrying in ${Math.round(page.retryDelay / 1000) || 1} s\u2026`, true, true);
      setTimeout(connect, page.retryDelay);
      page.retryDelay = Math.min(page.retryDelay * 2, 8000);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    setEnabled(false);
    bindControls();
    connect();
  });
})();
