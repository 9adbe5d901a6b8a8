// The events page: the map (Leaflet over a bundled world outline, no tiles), a timeline, counts by
// type and the event list, from GET /events?f=geojson, kept live by GET /stream; above the list, the
// incidents (GET /incidents, same filters) with how many distinct sources report each.
"use strict";

const TYPES = ["agree", "consult", "support", "concede", "cooperate", "aid", "retreat", "request", "accuse",
  "reject", "threaten", "protest", "sanction", "mobilize", "coerce", "assault"];
const params = new URLSearchParams(location.search);
const apiKey = params.get("api_key");
const state = { events: new Map(), markers: new Map(), source: null, selected: null };

const $ = (id) => document.getElementById(id);
const statusEl = $("status");

function setStatus(text, kind) {
  statusEl.textContent = text;
  statusEl.dataset.state = kind;
}

function withKey(query) {
  if (apiKey) query.set("api_key", apiKey);
  return query;
}

function filterQuery() {
  const q = new URLSearchParams();
  const type = $("f-type").value;
  const country = $("f-country").value.trim().toUpperCase();
  const from = $("f-from").value;
  const to = $("f-to").value;
  if (type) q.set("event_type", type);
  if (country) q.set("country", country);
  if (from || to) q.set("datetime", `${from || ".."}/${to || ".."}`);
  return q;
}

// --- map ---------------------------------------------------------------------------------------------
const map = L.map("map", { worldCopyJump: false, minZoom: 1, maxBounds: [[-90, -200], [90, 200]] });
map.fitBounds([[-56, -170], [75, 180]]);
const markerLayer = L.layerGroup().addTo(map);

fetch("/static/vendor/world-atlas/countries-110m.json")
  .then((r) => r.json())
  .then((world) => {
    const countries = topojson.feature(world, world.objects.countries);
    countries.features = countries.features.filter((f) => f.id !== "010"); // Antarctica wraps badly
    countries.features.forEach(unwrapAntimeridian);
    L.geoJSON(countries, {
      style: { color: "#8aa0b4", weight: 0.6, fillColor: "#ffffff", fillOpacity: 1 },
      interactive: false,
    }).addTo(map);
    markerLayer.eachLayer((m) => m.bringToFront());
    document.body.dataset.outline = String(countries.features.length);
  });

// Rings crossing ±180° (Russia, Fiji) would be drawn across the whole map: continue them past 180°.
function unwrapAntimeridian(feature) {
  const unwrap = (ring) => {
    let shift = 0;
    return ring.map(([lon, lat], i) => {
      if (i > 0) {
        const previous = ring[i - 1][0];
        if (lon - previous > 180) shift -= 360;
        else if (previous - lon > 180) shift += 360;
      }
      return [lon + shift, lat];
    });
  };
  const g = feature.geometry;
  if (!g) return;
  if (g.type === "Polygon") g.coordinates = g.coordinates.map(unwrap);
  if (g.type === "MultiPolygon") g.coordinates = g.coordinates.map((poly) => poly.map(unwrap));
}

function fitToMarkers() {
  const points = [...state.markers.values()].map((m) => m.getLatLng());
  if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.6), { maxZoom: 5 });
}

function addMarker(event) {
  const where = event.location || {};
  if (where.lat == null || where.lon == null) return;
  const marker = L.circleMarker([where.lat, where.lon], {
    radius: 5 + Math.min(8, Math.sqrt(killedOf(event))), color: "#a52a1f", weight: 1,
    fillColor: "#e74c3c", fillOpacity: 0.7, className: "event-marker",
  });
  marker.bindTooltip(`${event.event_type}: ${where.name || where.text || ""}`);
  marker.on("click", () => select(event.event_id, true));
  marker.addTo(markerLayer);
  if (marker._path) marker._path.dataset.eventId = event.event_id;
  state.markers.set(event.event_id, marker);
}

// --- list --------------------------------------------------------------------------------------------
function killedOf(event) {
  return (event.quantities || []).filter((q) => q.kind === "killed").reduce((a, q) => Math.max(a, q.value), 0);
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// The evidence sentence with the words the event was read from marked: actor, recipient, place, counts.
function evidenceHtml(event) {
  const text = (event.evidence && event.evidence.text) || "";
  const spans = [];
  const letter = /[\p{L}\p{N}]/u;
  const mark = (words, cls) => { // the first whole-word occurrence
    if (!words) return;
    for (let at = text.indexOf(words); at >= 0; at = text.indexOf(words, at + 1)) {
      const before = text[at - 1] || " ", after = text[at + words.length] || " ";
      if (!letter.test(before) && !letter.test(after)) { spans.push([at, at + words.length, cls]); return; }
    }
  };
  (event.quantities || []).forEach((q) => mark(q.text, "quantity-text"));
  ["actor", "recipient", "location"].forEach((k) => mark(event[k] && event[k].text, k));
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let html = "";
  let pos = 0;
  for (const [start, end, cls] of spans) {
    if (start < pos) continue; // overlapping: keep the first
    html += escapeHtml(text.slice(pos, start)) + `<mark class="${cls}">${escapeHtml(text.slice(start, end))}</mark>`;
    pos = end;
  }
  return html + escapeHtml(text.slice(pos));
}

function eventItem(event) {
  const li = document.createElement("li");
  li.className = "event";
  li.dataset.id = event.event_id;
  const where = event.location || {};
  const place = [where.name || where.text, where.country].filter(Boolean).join(", ");
  const when = ((event.time && event.time.start) || event.published_at || "").slice(0, 10);
  const quantities = (event.quantities || [])
    .map((q) => `<span class="quantity">${escapeHtml(q.kind)} ${q.value}${q.upper ? "–" + q.upper : ""}` +
      `${q.object ? " " + escapeHtml(q.object) : ""}</span>`).join("");
  const actor = event.actor ? escapeHtml(event.actor.name || event.actor.text) : "";
  const recipient = event.recipient ? escapeHtml(event.recipient.name || event.recipient.text) : "";
  const source = event.source_url
    ? `<a class="source" href="${escapeHtml(event.source_url)}" target="_blank" rel="noopener">source</a>` : "";
  const span = event.evidence ? ` title="characters ${event.evidence.start}–${event.evidence.end} of the article"` : "";
  li.innerHTML = `<div class="head"><span class="type">${escapeHtml(event.event_type)}</span>` +
    `<span class="who">${actor}${recipient ? " → " + recipient : ""}</span>` +
    `<span class="where">${escapeHtml(place)}</span><span class="when">${escapeHtml(when)}</span></div>` +
    (quantities ? `<div class="quantities">${quantities}</div>` : "") +
    `<div class="evidence"${span}>${evidenceHtml(event)}</div>` +
    `<div class="meta">${event.claimant ? "claimed by <span class=\"claimant\">" + escapeHtml(event.claimant) + "</span> · " : ""}` +
    `confidence ${Number(event.confidence).toFixed(2)} · ${source}</div>`;
  li.addEventListener("click", () => select(event.event_id, false));
  return li;
}

function select(eventId, fromMap) {
  if (state.selected) state.selected.classList.remove("selected");
  const li = document.querySelector(`.event[data-id="${CSS.escape(eventId)}"]`);
  if (!li) return;
  li.classList.add("selected");
  state.selected = li;
  if (fromMap) li.scrollIntoView({ block: "center" });
  const marker = state.markers.get(eventId);
  if (marker && !fromMap) map.panTo(marker.getLatLng());
}

// --- timeline and counts -----------------------------------------------------------------------------
function renderTimeline() {
  const days = new Map();
  for (const e of state.events.values()) {
    const day = ((e.time && e.time.start) || e.published_at || "").slice(0, 10);
    if (day) days.set(day, (days.get(day) || 0) + 1);
  }
  const keys = [...days.keys()].sort();
  const box = $("timeline");
  if (!keys.length) { box.innerHTML = ""; return; }
  const first = Date.parse(keys[0]), last = Date.parse(keys[keys.length - 1]);
  const span = Math.max(1, Math.round((last - first) / 86400000) + 1);
  const width = box.clientWidth - 8 || 600, height = 48;
  const max = Math.max(...days.values());
  const barWidth = Math.max(1, width / span - 1);
  let svg = `<svg width="${width}" height="${height + 14}" role="img">`;
  for (const [day, n] of days) {
    const x = ((Date.parse(day) - first) / 86400000) * (width / span);
    const h = Math.max(2, (n / max) * height);
    svg += `<rect class="bar" data-day="${day}" x="${x.toFixed(1)}" y="${(height - h).toFixed(1)}" ` +
      `width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}"><title>${day}: ${n}</title></rect>`;
  }
  svg += `<text x="0" y="${height + 12}">${keys[0]}</text>` +
    `<text x="${width}" y="${height + 12}" text-anchor="end">${keys[keys.length - 1]}</text></svg>`;
  box.innerHTML = svg;
  box.querySelectorAll("rect.bar").forEach((bar) => bar.addEventListener("click", () => {
    $("f-from").value = bar.dataset.day;
    $("f-to").value = bar.dataset.day;
    load();
  }));
}

function renderCounts() {
  const byType = new Map();
  for (const e of state.events.values()) byType.set(e.event_type, (byType.get(e.event_type) || 0) + 1);
  $("counts").innerHTML = [...byType.entries()].sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `<span class="count" data-type="${t}">${t} <b>${n}</b></span>`).join("");
}

function refreshSummary(live) {
  renderTimeline();
  renderCounts();
  setStatus(`${state.events.size} events${live ? " · live" : ""}`, "ready");
}

// --- incidents ---------------------------------------------------------------------------------------
function incidentItem(incident) {
  const li = document.createElement("li");
  li.className = "incident";
  li.dataset.id = incident.incident_id;
  li.dataset.sources = String(incident.num_sources);
  const where = incident.location || {};
  const place = [where.name || where.text, where.country].filter(Boolean).join(", ");
  const figures = (incident.quantities || []).map((f) => `<span class="figure">${escapeHtml(f.kind)} ${f.value}` +
    `${f.high > f.low ? ` (${f.low}–${f.high})` : ""}</span>`).join("");
  const n = incident.num_sources;
  li.innerHTML = `<div class="head"><span class="type">${escapeHtml(incident.event_type)}</span>` +
    `<span class="where">${escapeHtml(place)}</span><span class="when">${escapeHtml(incident.date || "")}</span>` +
    `<span class="sources">${n} source${n === 1 ? "" : "s"}</span></div>` +
    (figures ? `<div class="figures">${figures}</div>` : "") +
    `<div class="outlets">${escapeHtml((incident.sources || []).join(" · "))} · ` +
    `${incident.num_articles} article${incident.num_articles === 1 ? "" : "s"} · v${incident.version}</div>`;
  return li;
}

async function loadIncidents() {
  const query = withKey(filterQuery());
  query.set("limit", "200");
  const list = $("incidents");
  try {
    const reply = await fetch(`/incidents?${query}`);
    if (!reply.ok) throw new Error(String(reply.status));
    const body = await reply.json();
    // most reported first: what many outlets confirm leads
    const incidents = body.incidents.sort((a, b) => b.num_sources - a.num_sources);
    list.innerHTML = "";
    incidents.forEach((i) => list.append(incidentItem(i)));
    $("incidents-count").textContent = `(${incidents.length})`;
  } catch (err) {
    $("incidents-count").textContent = "(unavailable)";
  }
  document.body.dataset.incidents = "loaded";
}

let incidentsTimer = null;
function incidentsSoon() { // a live event: its incident changes once the incident stage has seen it
  clearTimeout(incidentsTimer);
  incidentsTimer = setTimeout(loadIncidents, 3000);
}

// --- loading and live updates ------------------------------------------------------------------------
function add(event, atTop) {
  if (state.events.has(event.event_id)) return false;
  state.events.set(event.event_id, event);
  addMarker(event);
  const li = eventItem(event);
  const list = $("events");
  if (atTop) { li.classList.add("new"); list.prepend(li); } else list.append(li);
  return true;
}

async function load() {
  if (state.source) state.source.close();
  state.events.clear();
  state.markers.clear();
  markerLayer.clearLayers();
  $("events").innerHTML = "";
  setStatus("loading…", "loading");
  loadIncidents();
  const query = withKey(filterQuery());
  query.set("f", "geojson");
  query.set("limit", "1000");
  try {
    const reply = await fetch(`/events?${query}`);
    const body = await reply.json();
    if (!reply.ok) throw new Error(`${body.parameter || ""} ${body.detail || reply.status}`);
    body.features.forEach((f) => add(f.properties, false));
    fitToMarkers();
    refreshSummary(false);
  } catch (err) {
    setStatus(`error: ${err.message}`, "error");
    return;
  }
  listen();
}

function listen() {
  const query = withKey(filterQuery());
  const source = new EventSource(`/stream?${query}`);
  state.source = source;
  source.onopen = () => refreshSummary(true);
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (add(event, true)) { refreshSummary(true); incidentsSoon(); }
  };
  source.addEventListener("reset", () => load()); // entries were trimmed while away: reload
  source.onerror = () => setStatus(`${state.events.size} events · reconnecting`, "ready");
}

TYPES.forEach((t) => $("f-type").insertAdjacentHTML("beforeend", `<option value="${t}">${t}</option>`));
$("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
$("f-clear").addEventListener("click", () => { $("filters").reset(); load(); });
load();
