// Vikno console: a read-only page over /console/api/. No framework and no build step; every value
// from the server is put into the page as text (textContent), never as markup.
"use strict";

const main = document.getElementById("main");
let me = null;

// ---- small helpers -------------------------------------------------------------------------------

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || "HTTP " + status);
    this.status = status;
    this.body = body;
  }
}

async function api(path, options) {
  const response = await fetch("/console/api/" + path, Object.assign({ headers: { "X-Vikno-Console": "1" } }, options));
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new Problem(response.status, body);
  return body;
}

function query(values) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? "?" + text : "";
}

function status(text) { return el("span", { class: "status " + text }, text); }
function seconds(ms) { return ms === undefined ? "–" : (ms / 1000).toFixed(ms < 10000 ? 2 : 0) + " s"; }
function day(offset) { return new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10); }

function show(...nodes) { main.replaceChildren(...nodes.filter((node) => node !== null && node !== undefined)); }
function problem(error) {
  return el("div", { class: "problem", id: "problem" },
    error instanceof Problem ? `${error.status}: ${error.message}` : String(error));
}

function table(columns, rows, onclick) {
  const head = el("tr", {}, columns.map((c) => el("th", { class: c.num ? "num" : "" }, c.title)));
  const body = rows.map((row) => el("tr", { class: onclick ? "link" : "", onclick: onclick ? () => onclick(row) : null },
    columns.map((c) => el("td", { class: c.num ? "num" : "" }, c.value(row)))));
  return el("table", {}, el("thead", {}, head), el("tbody", {}, body));
}

// A filter form whose values live in the URL's hash (#/page?key=value), never in the server's logs.
function filters(fields, values, submit) {
  const form = el("form", { class: "filters", id: "filters" });
  for (const field of fields) {
    let input;
    if (field.options) {
      input = el("select", { name: field.name, id: "f-" + field.name },
        el("option", { value: "" }, field.any || "any"),
        field.options.map((o) => el("option", { value: o, selected: values[field.name] === o }, o)));
    } else {
      input = el("input", { name: field.name, id: "f-" + field.name, type: field.type || "text",
        value: values[field.name] || "", placeholder: field.placeholder || "" });
    }
    form.append(el("label", {}, field.title, input));
  }
  form.append(el("button", { type: "submit", id: "search" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = {};
    for (const field of fields) next[field.name] = form.elements[field.name].value;
    submit(next);
  });
  return form;
}

const STATUSES = ["received", "queued", "sending", "awaiting_registry", "completed", "rejected", "failed",
  "partly_completed", "cancelled"];

// ---- pages ---------------------------------------------------------------------------------------

async function casesPage(values) {
  const fields = [
    { name: "id", title: "Case id" },
    ...(me.role === "auditor" ? [{ name: "office", title: "Office", options: me.offices, any: "every office" }] : []),
    { name: "operator", title: "Operator" },
    { name: "service", title: "Service", placeholder: "drac.birth-extract" },
    { name: "status", title: "Status", options: STATUSES },
    { name: "from", title: "Received from", type: "date" },
    { name: "to", title: "to", type: "date" },
  ];
  const form = filters(fields, values, (next) => { location.hash = "#/cases" + query(next); });
  show(el("h1", {}, me.role === "auditor" ? "Cases of every office" : "Cases of " + me.office), form,
    el("p", { class: "muted" }, "Loading…"));
  try {
    const result = await api("cases" + query(values));
    show(el("h1", {}, me.role === "auditor" ? "Cases of every office" : "Cases of " + me.office), form,
      el("p", { class: "muted", id: "case-count" }, `${result.cases.length} cases (newest first, at most ${result.limit})`),
      el("div", { id: "case-table" }, table([
        { title: "Received", value: (c) => c.received_at.replace("T", " ").slice(0, 19) },
        { title: "Case", value: (c) => c.id },
        { title: "Office", value: (c) => c.office },
        { title: "Operator", value: (c) => c.operator },
        { title: "Service", value: (c) => c.service },
        { title: "Status", value: (c) => status(c.status) },
      ], result.cases, (c) => { location.hash = "#/case/" + c.id; })));
  } catch (error) {
    main.append(problem(error));
  }
}

// A life situation's steps as a picture: a column per stage (a step stands right of every step it
// waits for), boxes coloured by status, optional ones dashed, an arrow from each step it waits for.
function stepsPicture(steps) {
  const width = 200, height = 64, columnGap = 56, rowGap = 16;
  const byId = new Map(steps.map((s) => [s.step, s]));
  const stage = new Map();
  const stageOf = (step, seen = new Set()) => {
    if (stage.has(step.step)) return stage.get(step.step);
    seen.add(step.step);
    const needs = (step.needs || []).map((id) => byId.get(id)).filter((s) => s && !seen.has(s.step));
    const value = needs.length ? 1 + Math.max(...needs.map((s) => stageOf(s, seen))) : 0;
    stage.set(step.step, value);
    return value;
  };
  const columns = [];
  for (const step of [...steps].sort((a, b) => a.position - b.position)) {
    const column = stageOf(step);
    (columns[column] = columns[column] || []).push(step);
  }
  const place = new Map();
  columns.forEach((column, c) => column.forEach((step, r) =>
    place.set(step.step, { x: c * (width + columnGap), y: 4 + r * (height + rowGap) })));
  const rows = Math.max(...columns.map((column) => column.length));
  const picture = svg("svg", { width: columns.length * (width + columnGap), height: rows * (height + rowGap) + 8,
    id: "steps-picture", role: "img", "aria-label": "the steps and what each waits for" });
  for (const step of steps) {
    const to = place.get(step.step);
    for (const need of step.needs || []) {
      const from = place.get(need);
      if (!from) continue;
      const x1 = from.x + width, y1 = from.y + height / 2, x2 = to.x - 6, y2 = to.y + height / 2;
      picture.append(svg("line", { x1, y1, x2, y2, class: "arrow" }));
      picture.append(svg("polygon", { points: `${x2},${y2 - 5} ${x2 + 6},${y2} ${x2},${y2 + 5}`, class: "arrow" }));
    }
  }
  for (const step of steps) {
    const { x, y } = place.get(step.step);
    const box = svg("g", { class: "step-box", "data-step": step.step },
      svg("rect", { x, y, width, height, rx: 8, class: "step " + step.status,
        "stroke-dasharray": step.optional ? "4 3" : "none" }),
      svg("text", { x: x + 10, y: y + 20 }, `${step.position}. ${step.step}${step.optional ? " (optional)" : ""}`),
      svg("text", { x: x + 10, y: y + 38 }, step.service),
      svg("text", { x: x + 10, y: y + 56 }, step.status));
    if (step.case_id) {
      box.classList.add("link");
      box.addEventListener("click", () => { location.hash = "#/case/" + step.case_id; });
    }
    picture.append(box);
  }
  return picture;
}

async function casePage(id) {
  show(el("p", {}, "Loading case…"));
  let c;
  try {
    c = await api("cases/" + encodeURIComponent(id));
  } catch (error) {
    return show(el("h1", {}, "Case " + id), problem(error));
  }
  const facts = el("div", { class: "panel grid", id: "case-facts" },
    [["Status", status(c.status)], ["Service", c.service], ["Office", c.office], ["Operator", c.operator],
      ["Received", c.received_at], ["Last change", c.updated_at],
      ["Applicant", `${c.applicant.last_name} ${c.applicant.first_name}, ${c.applicant.rnokpp || "no RNOKPP"}`]]
      .map(([label, value]) => el("div", {}, el("div", { class: "label" }, label), el("div", {}, value))));
  const parts = [el("h1", {}, "Case " + c.id), facts];
  if (c.situation) parts.push(el("p", {}, "A step of life situation ", el("a", { href: "#/case/" + c.situation }, c.situation)));
  if (c.steps) {
    parts.push(el("h2", {}, "Steps of the life situation"), el("div", { class: "panel" }, stepsPicture(c.steps)),
      table([
        { title: "#", value: (s) => s.position },
        { title: "Step", value: (s) => s.step },
        { title: "Service", value: (s) => s.service },
        { title: "Status", value: (s) => status(s.status) },
        { title: "Waits for", value: (s) => (s.needs || []).join(", ") || "–" },
        { title: "Case", value: (s) => s.case_id ? el("a", { href: "#/case/" + s.case_id }, s.case_id) : "–" },
        { title: "Reason", value: (s) => s.reason },
      ], c.steps));
  }
  if (c.outcome) {
    parts.push(el("h2", {}, "The registry's answer"), el("div", { class: "panel", id: "outcome" },
      el("div", {}, el("span", { class: "label" }, "Reference: "), c.outcome.registry_reference || "–"),
      el("div", {}, c.outcome.message_uk), el("div", { class: "muted" }, c.outcome.message_en),
      c.outcome.document ? el("div", { class: "muted" }, "A result document is attached (not shown here).") : null));
  }
  parts.push(el("h2", {}, "Timeline"), el("div", { id: "history" }, table([
    { title: "At", value: (h) => h.at },
    { title: "Status", value: (h) => status(h.status) },
    { title: "Note", value: (h) => h.note },
  ], c.history)));
  // For an auditor, each attempt opens the audit entry that holds its wire bytes (`audit_entry`, the
  // store's reference to it), once the console's view of the log has it.
  const attemptColumns = [
    { title: "#", value: (a) => a.attempt },
    { title: "Registry", value: (a) => a.registry },
    { title: "Started", value: (a) => a.started_at },
    { title: "Took", value: (a) => seconds(a.duration_ms), num: true },
    { title: "HTTP", value: (a) => a.http_status || "–", num: true },
    { title: "Transport error", value: (a) => a.error || "" },
  ];
  if (c.audit_entries) attemptColumns.push({ title: "Audit entry", value: (a) => a.audit_entry ?? "–", num: true });
  parts.push(el("h2", {}, "Attempts"), c.attempts.length ? el("div", { id: "attempts" }, table(attemptColumns, c.attempts,
    c.audit_entries ? (a) => { if (a.audit_entry !== undefined) location.hash = "#/entry/" + a.audit_entry; } : undefined))
    : el("p", { class: "muted" }, "No exchange with a registry yet."));
  if (c.audit_entries) {
    parts.push(el("h2", {}, "In the audit log"),
      el("p", {}, el("a", { class: "button", id: "bundle-link", href: "/console/api/cases/" + c.id + "/bundle",
        download: "evidence-" + c.id + ".json" }, "Download the evidence bundle")),
      el("div", { id: "case-entries" }, table([
        { title: "Entry", value: (e) => e.seq, num: true },
        { title: "At", value: (e) => e.at },
        { title: "Kind", value: (e) => e.kind },
        { title: "Registry", value: (e) => e.registry ? `${e.registry} #${e.attempt}` : "" },
        { title: "Outcome", value: (e) => status(e.outcome) },
      ], c.audit_entries, (e) => { location.hash = "#/entry/" + e.seq; })));
  }
  show(...parts);
}

async function auditPage(values) {
  const fields = [
    { name: "case", title: "Case id" },
    { name: "registry", title: "Registry" },
    { name: "office", title: "Office", options: me.offices, any: "every office" },
    { name: "service", title: "Service" },
    { name: "outcome", title: "Outcome / status" },
    { name: "from", title: "From (RFC 3339)", placeholder: "2026-12-01T00:00:00Z" },
    { name: "to", title: "To", placeholder: "2026-12-31T23:59:59Z" },
  ];
  const form = filters(fields, values, (next) => { location.hash = "#/audit" + query(next); });
  show(el("h1", {}, "Audit log"), el("p", {}, "Loading…"));
  let state, list;
  try {
    [state, list] = await Promise.all([api("audit/state"), api("audit/entries" + query(values))]);
  } catch (error) {
    return show(el("h1", {}, "Audit log"), problem(error));
  }
  const checkpoint = state.last_checkpoint;
  const stateBox = el("div", { class: "panel grid", id: "audit-state" },
    el("div", {}, el("div", { class: "label" }, "Whole log"),
      el("div", { id: "log-verdict" }, status(state.verified ? "verified" : "tampered"))),
    el("div", {}, el("div", { class: "label" }, "Entries"), el("div", { class: "figure" }, state.entries)),
    el("div", {}, el("div", { class: "label" }, "Sealed by the last checkpoint"), el("div", { class: "figure" }, state.sealed)),
    el("div", {}, el("div", { class: "label" }, "Not yet sealed"), el("div", { class: "figure", id: "unsealed" }, state.unsealed)),
    el("div", {}, el("div", { class: "label" }, "Last checkpoint"),
      el("div", {}, checkpoint ? `${checkpoint.at}, tree size ${checkpoint.tree_size}` : "none yet")));
  const notes = [...state.problems.map((p) => el("div", { class: "problem" }, p)),
    ...state.warnings.map((w) => el("div", { class: "muted" }, w))];
  show(el("h1", {}, "Audit log"), stateBox, ...notes, form,
    el("p", { class: "muted", id: "entry-count" }, `${list.matched} entries match; the newest ${list.shown} are shown`),
    el("div", { id: "entry-table" }, table([
      { title: "Entry", value: (e) => e.seq, num: true },
      { title: "At", value: (e) => e.at },
      { title: "Kind", value: (e) => e.kind },
      { title: "Case", value: (e) => e.case_id },
      { title: "Office", value: (e) => e.office },
      { title: "Service", value: (e) => e.service },
      { title: "Registry", value: (e) => e.registry ? `${e.registry} #${e.attempt}` : "" },
      { title: "Outcome", value: (e) => status(e.outcome) },
    ], list.entries, (e) => { location.hash = "#/entry/" + e.seq; })));
}

function renderEntry(entry) {
  const fields = Object.entries(entry.fields);
  const parts = [
    el("h1", {}, "Audit entry " + entry.seq),
    el("div", { class: "panel" },
      el("div", {}, el("span", { class: "label" }, "Leaf hash: "), entry.leaf_hash),
      el("div", {}, el("span", { class: "label" }, "Sealed by a signed checkpoint: "), entry.sealed ? "yes" : "not yet"),
      el("div", { id: "mask-state" }, entry.masked ? "Personal data is masked." : "Shown in full; this view is recorded in the audit log.")),
    table([{ title: "Field", value: (f) => f[0] }, { title: "Value", value: (f) => f[1] }], fields),
  ];
  for (const message of entry.messages) {
    parts.push(el("h2", {}, `${message.name} as on the wire (${message.bytes} bytes)` +
      (message.signature_check !== undefined ? ", signature check: " : ""),
    message.signature_check !== undefined ? el("span", { id: "signature-check" }, message.signature_check) : null));
    parts.push(el("pre", { id: "message-" + message.name }, message.text || "(nothing)"));
  }
  if (entry.masked) {
    parts.push(el("p", {}, el("button", { class: "danger", id: "reveal", onclick: async () => {
      try {
        renderEntry(await api("audit/entries/" + entry.seq + "/reveal", { method: "POST" }));
      } catch (error) {
        main.append(problem(error));
      }
    } }, "Show in full (recorded in the audit log)")));
  }
  if (entry.fields.case_id) parts.push(el("p", {}, el("a", { href: "#/case/" + entry.fields.case_id }, "Open the case")));
  show(...parts);
}

async function entryPage(seq) {
  show(el("p", {}, "Loading entry…"));
  try {
    renderEntry(await api("audit/entries/" + encodeURIComponent(seq)));
  } catch (error) {
    show(el("h1", {}, "Audit entry " + seq), problem(error));
  }
}

function barChart(id, items, label, series) {
  const barWidth = 26, gap = 14, height = 160, left = 40, top = 10;
  const max = Math.max(1, ...items.flatMap((item) => series.map((s) => s.value(item) || 0)));
  const width = left + items.length * (barWidth * series.length + gap) + gap;
  const chart = svg("svg", { width: Math.max(width, 240), height: height + 60, id, role: "img", "aria-label": id });
  chart.append(svg("text", { x: 0, y: top + 8 }, String(label(max))));
  chart.append(svg("line", { x1: left - 4, y1: top + height, x2: width, y2: top + height, class: "arrow" }));
  items.forEach((item, i) => {
    const x0 = left + gap + i * (barWidth * series.length + gap);
    series.forEach((s, j) => {
      const value = s.value(item) || 0;
      const h = Math.round((value / max) * height);
      const bar = svg("rect", { x: x0 + j * barWidth, y: top + height - h, width: barWidth - 2, height: h, class: s.class });
      bar.append(svg("title", {}, `${s.title}: ${label(value)}`));
      chart.append(bar);
    });
    chart.append(svg("text", { x: x0, y: top + height + 14 }, String(item.day || item.key).slice(-18)));
  });
  return chart;
}

function availabilityStrip(registry) {
  const width = 400, height = 14;
  const strip = svg("svg", { width, height, class: "availability" });
  const start = Date.parse(registry.since), end = Date.now();
  const span = Math.max(1, end - start);
  registry.history.forEach((change, i) => {
    const from = Date.parse(change.at);
    const to = i + 1 < registry.history.length ? Date.parse(registry.history[i + 1].at) : end;
    strip.append(svg("rect", { x: ((from - start) / span) * width, y: 0,
      width: Math.max(1, ((to - from) / span) * width), height, class: change.state }));
  });
  return strip;
}

async function qualityPage(values) {
  const period = { from: values.from || day(-6), to: values.to || day(0), office: values.office || "" };
  const fields = [
    ...(me.role === "auditor" ? [{ name: "office", title: "Office", options: me.offices, any: "every office" }] : []),
    { name: "from", title: "From", type: "date" },
    { name: "to", title: "To", type: "date" },
  ];
  const form = filters(fields, period, (next) => { location.hash = "#/quality" + query(next); });
  const title = el("h1", {}, "Quality of service, " + (me.role === "auditor" ? (period.office || "every office") : me.office));
  show(title, form, el("p", {}, "Loading…"));
  let report, registries;
  try {
    [report, registries] = await Promise.all([api("quality" + query(period)), api("registries")]);
  } catch (error) {
    return show(title, form, problem(error));
  }
  const all = report.offices.reduce((sum, o) => ({
    completed: sum.completed + o.completed, rejected: sum.rejected + o.rejected, failed: sum.failed + o.failed,
    in_progress: sum.in_progress + o.in_progress }), { completed: 0, rejected: 0, failed: 0, in_progress: 0 });
  const figures = el("div", { class: "panel grid", id: "quality-figures" },
    [["Cases", report.cases, "q-cases"], ["Completed", all.completed, "q-completed"], ["Rejected", all.rejected, "q-rejected"],
      ["Failed", all.failed, "q-failed"], ["In progress", all.in_progress, "q-in-progress"]]
      .map(([label, value, id]) => el("div", {}, el("div", { class: "label" }, label), el("div", { class: "figure", id }, value))));
  const groupTable = (id, groups) => el("div", { id }, table([
    { title: "", value: (g) => g.key },
    { title: "Cases", value: (g) => g.cases, num: true },
    { title: "Completed", value: (g) => g.completed, num: true },
    { title: "Rejected", value: (g) => g.rejected, num: true },
    { title: "Failed", value: (g) => g.failed, num: true },
    { title: "In progress", value: (g) => g.in_progress, num: true },
    { title: "Time to result, median", value: (g) => seconds(g.median_ms), num: true },
    { title: "p90", value: (g) => seconds(g.p90_ms), num: true },
    { title: "Why rejected or failed", value: (g) => g.reasons.map((r) => `${r.reason} (${r.count})`).join("; ") },
  ], groups));
  show(title, form,
    report.truncated ? el("div", { class: "problem" }, "The period holds more cases than one report reads; narrow it.") : null,
    figures,
    el("p", {}, el("a", { class: "button", id: "csv-link", href: "/console/api/quality.csv" + query(period),
      download: "quality.csv" }, "Export CSV")),
    el("h2", {}, "Cases per day (UTC)"), el("div", { class: "panel" },
      barChart("chart-per-day", report.per_day, (v) => Math.round(v), [{ title: "cases", class: "bar", value: (d) => d.cases }])),
    el("h2", {}, "Time to result per service: median and p90"), el("div", { class: "panel" },
      barChart("chart-time", report.services, seconds, [
        { title: "median", class: "bar", value: (s) => s.median_ms },
        { title: "p90", class: "bar2", value: (s) => s.p90_ms }])),
    el("h2", {}, "Per office"), groupTable("q-offices", report.offices),
    el("h2", {}, "Per operator"), groupTable("q-operators", report.operators),
    el("h2", {}, "Per service"), groupTable("q-services", report.services),
    el("h2", {}, "Registries' availability (circuit breaker, since the gateway started)"),
    el("div", { id: "q-registries" }, table([
      { title: "Registry", value: (r) => r.registry },
      { title: "Now", value: (r) => status(r.state) },
      { title: "Available", value: (r) => (r.available_share * 100).toFixed(1) + " %", num: true },
      { title: "Opened", value: (r) => r.opened_total, num: true },
      { title: "History", value: (r) => availabilityStrip(r) },
    ], registries.registries)));
}

// ---- routing -------------------------------------------------------------------------------------

function route() {
  const hash = location.hash || "#/cases";
  const [path, search] = hash.slice(1).split("?");
  const values = Object.fromEntries(new URLSearchParams(search || ""));
  const parts = path.split("/").filter(Boolean);
  for (const link of document.querySelectorAll("nav a")) {
    link.classList.toggle("active", link.getAttribute("href").slice(1).split("/")[1] === (parts[0] === "case" ? "cases" :
      parts[0] === "entry" ? "audit" : parts[0]));
  }
  if (parts[0] === "case" && parts[1]) return casePage(parts[1]);
  if (parts[0] === "audit") return auditPage(values);
  if (parts[0] === "entry" && parts[1]) return entryPage(parts[1]);
  if (parts[0] === "quality") return qualityPage(values);
  return casesPage(values);
}

async function start() {
  try {
    me = await api("me");
  } catch (error) {
    return show(problem(error));
  }
  document.getElementById("who").textContent =
    `${me.name} · ${me.role}${me.role === "supervisor" ? " of " + me.office : ""}`;
  document.getElementById("nav-audit").hidden = me.role !== "auditor";
  window.addEventListener("hashchange", route);
  route();
}

start();
