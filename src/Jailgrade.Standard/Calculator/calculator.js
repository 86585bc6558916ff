// JG 1.0 in the browser: a second implementation of the standard, written from the text of
// docs/standard/jg-1.0.md (sections 5, 6 and 8) and the definition embedded in this page. It shares no
// code with the reference implementation; the tests hold the two to the same table hash.
"use strict";
(function () {
  const definition = JSON.parse(document.getElementById("jg-definition").textContent);

  // The definition gives weights in score points with one decimal. Multiplying by ten and rounding
  // recovers the integer tenths exactly; every step after this is integer arithmetic (section 5.1).
  const tenths = (points) => Math.round(points * 10);

  const tiers = new Map(definition.scoring.tiers.map((t) => [t.tier, { weight: tenths(t.weight), cap: tenths(t.cap) }]));
  const floor = tenths(definition.scoring.floor);
  const bands = definition.scoring.bands.map((b, index) => ({ name: b.band, min: tenths(b.min), max: tenths(b.max), cjs: b.cjs, index }));
  const metrics = definition.metrics.map((m) => ({
    code: m.abbreviation,
    name: m.name,
    definition: m.definition,
    criterion: m.criterion,
    mandatory: m.mandatory,
    values: m.values.map((v) => ({
      code: v.abbreviation,
      name: v.name,
      definition: v.definition,
      tier: v.tier ?? null,
      // HD weighs by its tier (section 5.2); a value without a weight is UP:0, the zero rule.
      weight: v.tier ? tiers.get(v.tier).weight : v.weight === null ? null : tenths(v.weight),
    })),
  }));
  for (const m of metrics) m.byCode = new Map(m.values.map((v) => [v.code, v]));
  const byCode = new Map(metrics.map((m) => [m.code, m]));
  const baseMetrics = metrics.filter((m) => m.mandatory);
  const statusMetric = metrics.find((m) => !m.mandatory);
  const prefix = definition.prefix;                  // "JG:1.0"
  const standardCode = prefix.slice(0, prefix.indexOf(":") + 1);   // "JG:"
  const version = prefix.slice(standardCode.length); // "1.0"
  const notDefined = statusMetric.values[statusMetric.values.length - 1].code; // MS:X, dropped on normalizing
  const cyber = "CY";                                 // the CJS equivalent is given for HD:CY only (5.6)

  const valueOf = (metric, code) => metric.byCode.get(code);
  const order = metrics.map((m) => m.code);          // the ten base metrics, then MS
  const valueList = (metric) => metric.values.map((v) => v.code).join(", ");

  // ---- Parsing (section 6): accept exactly the grammar; report the first problem as section 6.4 says.

  function fail(kind, column, metric, message) {
    return { ok: false, error: { kind, column, metric, message } };
  }

  function quote(text) {
    const shown = text.length > 24 ? text.slice(0, 24) + "\u2026" : text;
    return "'" + shown.replace(/[\u0000-\u001f\u007f]/g, "?") + "'";
  }

  function expectedAt(next) {
    if (next < baseMetrics.length) return "'" + baseMetrics[next].code + ":'";
    return next === baseMetrics.length ? "'" + statusMetric.code + ":' or the end of the vector" : "the end of the vector";
  }

  function parse(text) {
    if (typeof text !== "string" || text.length === 0) {
      return fail("empty", 1, null, "empty input: expected a vector starting with '" + prefix + "/'");
    }
    if (!text.startsWith(standardCode)) {
      const slash = text.indexOf("/");
      return fail("unknown prefix", 1, null, "unknown prefix " + quote(slash < 0 ? text : text.slice(0, slash)) + ": expected '" + prefix + "/' (case-sensitive)");
    }
    const slash = text.indexOf("/");
    const written = text.slice(standardCode.length, slash < 0 ? text.length : slash);
    if (written !== version) {
      return fail("unknown version", standardCode.length + 1, null, "unknown version " + quote(written) + ": expected " + version);
    }

    const firstColumn = new Map();
    const values = {};
    let next = 0;                                     // index in order of the metric expected next
    let at = standardCode.length + written.length;    // index of the '/' that opens the next component
    while (at < text.length) {
      const start = at + 1;
      const close = text.indexOf("/", start);
      const end = close < 0 ? text.length : close;
      const component = text.slice(start, end);
      const column = start + 1;
      const last = end === text.length;

      if (component.length === 0) {
        return last
          ? fail("trailing junk", column - 1, null, "trailing '/': expected " + expectedAt(next) + " after it")
          : fail("trailing junk", column, null, "empty component '//': expected " + expectedAt(next));
      }

      const colon = component.indexOf(":");
      const code = colon < 0 ? component : component.slice(0, colon);
      const position = order.indexOf(code);
      if (position < 0) {
        if (colon < 0 && next >= baseMetrics.length) {
          return fail("trailing junk", column, null, "unexpected " + quote(component) + ": expected " + expectedAt(next));
        }
        return fail("unknown metric", column, code, "unknown metric " + quote(code) + ": expected " + expectedAt(next) + " (metric codes are case-sensitive)");
      }
      if (firstColumn.has(code)) {
        return fail("duplicate", column, code, code + " appears twice (first at column " + firstColumn.get(code) + "): each metric may appear once");
      }
      if (position > next) {
        const expected = order[next];
        const later = text.slice(end).split("/").some((c) => (c.indexOf(":") < 0 ? c : c.slice(0, c.indexOf(":"))) === expected);
        return later
          ? fail("wrong order", column, code, code + " is out of order: expected " + expected + " here (order: " + baseMetrics.map((m) => m.code).join(", ") + ", then optional " + statusMetric.code + ")")
          : fail("missing metric", column, expected, expected + " is missing: expected " + expected + " before " + code);
      }

      const metric = byCode.get(code);
      if (colon < 0) {
        return fail("bad value", column + code.length, code, code + " has no value: expected '" + code + ":' followed by one of " + valueList(metric));
      }
      const value = component.slice(colon + 1);
      const valueColumn = column + colon + 1;
      if (!valueOf(metric, value)) {
        // Trailing junk only where the vector may end: glued to the value of DP or MS when that
        // component is the last one (revised 6.4). Elsewhere an unknown value is a bad value.
        const endsVector = last && position >= baseMetrics.length - 1;
        const valid = metric.values.filter((v) => value.length > v.code.length && value.startsWith(v.code))
          .reduce((longest, v) => Math.max(longest, v.code.length), 0);
        return endsVector && valid > 0
          ? fail("trailing junk", valueColumn + valid, null, "unexpected " + quote(value.slice(valid)) + " after " + code + ":" + value.slice(0, valid) + ": expected the end of the vector")
          : fail("bad value", valueColumn, code, "bad value " + quote(value) + " for " + code + ": expected one of " + valueList(metric));
      }

      values[code] = value;
      firstColumn.set(code, column);
      next = position + 1;
      at = end;
    }

    if (next < baseMetrics.length) {
      const missing = baseMetrics[next].code;
      return fail("missing metric", text.length + 1, missing, missing + " is missing: the vector ends where " + missing + " was expected");
    }
    return { ok: true, vector: normalize(values) };
  }

  // The only normalization: MS:X is dropped (section 6.3).
  function normalize(values) {
    const vector = {};
    for (const m of baseMetrics) vector[m.code] = values[m.code];
    const status = values[statusMetric.code];
    if (status !== undefined && status !== notDefined) vector[statusMetric.code] = status;
    return vector;
  }

  function format(vector) {
    let text = prefix;
    for (const m of baseMetrics) text += "/" + m.code + ":" + vector[m.code];
    const status = vector[statusMetric.code];
    if (status !== undefined && status !== notDefined) text += "/" + statusMetric.code + ":" + status;
    return text;
  }

  // ---- Scoring (section 5): integer tenths throughout.

  const criteria = new Map(["bypass", "capability", "impact"].map((c) => [c, baseMetrics.filter((m) => m.criterion === c)]));
  const sum = (vector, criterion) => criteria.get(criterion).reduce((total, m) => total + valueOf(m, vector[m.code]).weight, 0);
  const bandOf = (t) => bands.find((b) => b.min <= t && t <= b.max);
  const show = (t) => Math.floor(t / 10) + "." + (t % 10);

  function score(vector) {
    const domain = valueOf(byCode.get("HD"), vector.HD);
    const tier = tiers.get(domain.tier);
    const zero = valueOf(byCode.get("UP"), vector.UP).weight === null;
    const bypass = sum(vector, "bypass");
    const capability = zero ? 0 : sum(vector, "capability");
    const impact = sum(vector, "impact");
    const raw = bypass + capability + impact;
    const base = zero ? 0 : Math.max(floor, Math.min(raw, tier.cap));
    const band = bandOf(base);
    const status = vector[statusMetric.code];
    const current = status === undefined || status === notDefined
      ? null
      : zero ? 0 : Math.max(floor, base + valueOf(statusMetric, status).weight);
    return {
      base, band: band.name, cjs: vector.HD === cyber ? band.cjs : null,
      bypass, capability, impact, raw, cap: tier.cap, tier: domain.tier,
      capApplied: !zero && raw > tier.cap, floored: !zero && raw < floor, zero,
      current, currentBand: current === null ? null : bandOf(current).name,
    };
  }

  // ---- Explanations (section 8): contributions, and every single change that moves the band.

  function explain(vector) {
    const scored = score(vector);
    const contributions = baseMetrics.map((m) => {
      const value = valueOf(m, vector[m.code]);
      if (value.weight === null) return { metric: m.code, value: value.code, name: value.name, points: null };
      const least = m.values.find((v) => v.weight !== null); // UP counts from UP:1, since UP:0 zeroes
      return { metric: m.code, value: value.code, name: value.name, points: value.weight - least.weight };
    });
    const changes = [];
    for (const m of baseMetrics) {
      for (const v of m.values) {
        if (v.code === vector[m.code]) continue;
        const changed = score({ ...vector, [m.code]: v.code });
        if (changed.band !== scored.band) {
          changes.push({ metric: m.code, from: vector[m.code], to: v.code, toName: v.name, score: changed.base, band: changed.band });
        }
      }
    }
    return { score: scored, contributions, changes };
  }

  const api = Object.freeze({ standard: definition.standard, prefix, metrics, parse, format, score, explain, show });
  Object.defineProperty(window, "JG", { value: api, enumerable: true });

  // ---- The page. Everything shown is built with createElement and textContent: no markup from data.

  const $ = (id) => document.getElementById(id);
  const make = (tag, text, className) => {
    const element = document.createElement(tag);
    if (text !== undefined) element.textContent = text;
    if (className) element.className = className;
    return element;
  };
  const signed = (t) => (t < 0 ? "\u2212" + show(-t) : "+" + show(t));

  const initial = { UN: "N", RL: "L", AC: "H", AR: "P", HD: "PO", UP: "1", BR: "N", FD: "L", EX: "N", DP: "I" };
  let state = { ...initial };

  function buildControls() {
    const container = $("metrics");
    const groups = [["bypass", "1. Safeguards bypassed"], ["capability", "2. Capabilities exposed"], ["impact", "3. Real-world impact"], ["status", "Status (optional)"]];
    for (const [criterion, title] of groups) {
      const section = make("section", undefined, "criterion");
      section.append(make("h2", title));
      for (const m of metrics.filter((x) => x.criterion === criterion)) {
        const fieldset = make("fieldset");
        const legend = make("legend");
        legend.append(make("span", m.code, "code"), " " + m.name);
        const help = make("p", m.definition, "definition");
        help.id = "def-" + m.code;
        fieldset.setAttribute("aria-describedby", help.id);
        fieldset.append(legend, help);
        const options = make("div", undefined, "options");
        for (const v of m.values) {
          const id = "v-" + m.code + "-" + v.code;
          const input = make("input");
          input.type = "radio";
          input.name = m.code;
          input.id = id;
          input.value = v.code;
          input.addEventListener("change", () => {
            if (input.checked) {
              state = { ...state, [m.code]: v.code };
              render(true);
            }
          });
          const label = make("label");
          label.htmlFor = id;
          label.append(make("span", v.code, "code"), " " + v.name);
          options.append(input, label);
        }
        const chosen = make("p", "", "chosen");
        chosen.id = "chosen-" + m.code;
        fieldset.append(options, chosen);
        section.append(fieldset);
      }
      container.append(section);
    }
  }

  function setBand(element, band) {
    element.textContent = band;
    element.className = "band band-" + band.toLowerCase();
  }

  function render(updateLink) {
    const vector = normalize(state);
    const text = format(vector);
    const { score: s, contributions, changes } = explain(vector);

    for (const m of metrics) {
      const code = state[m.code] ?? notDefined;
      $("v-" + m.code + "-" + code).checked = true;
      const value = valueOf(m, code);
      $("chosen-" + m.code).textContent = m.code + ":" + value.code + " " + value.name + (value.tier ? " (" + value.tier + " tier)" : "") + ": " + value.definition;
    }

    $("score").textContent = show(s.base);
    setBand($("band"), s.band);
    $("cjs").textContent = s.cjs ?? "none (given for HD:CY only)";
    $("bypass").textContent = show(s.bypass);
    $("capability").textContent = s.zero ? "0.0 (UP:0)" : show(s.capability);
    $("impact").textContent = show(s.impact);
    $("raw").textContent = show(s.raw);
    $("rule").textContent = s.zero ? "UP:0 zeroes the score." : s.capApplied ? "The " + s.tier + " tier's cap of " + show(s.cap) + " applies."
      : s.floored ? "The floor lifts the score to " + show(floor) + "." : "No cap or floor applies (cap " + show(s.cap) + ").";
    if (s.current === null) {
      $("current").textContent = "none";
      $("current-band").textContent = "(set MS for one)";
      $("current-band").className = "note";
    } else {
      $("current").textContent = show(s.current);
      setBand($("current-band"), s.currentBand);
    }

    const rows = $("contributions");
    rows.replaceChildren();
    for (const c of contributions) {
      const row = make("tr");
      row.append(make("th", c.metric + ":" + c.value), make("td", c.name), make("td", c.points === null ? "zeroes the score" : signed(c.points)));
      row.firstChild.scope = "row";
      rows.append(row);
    }

    const list = $("changes");
    list.replaceChildren();
    for (const c of changes) {
      const row = make("tr");
      const cell = make("td", show(c.score) + " ");
      cell.append(make("span", c.band, "band band-" + c.band.toLowerCase()));
      row.append(make("th", c.metric + ":" + c.from + " \u2192 " + c.to), make("td", c.toName), cell);
      row.firstChild.scope = "row";
      list.append(row);
    }
    $("changes-none").hidden = changes.length > 0;
    $("changes-table").hidden = changes.length === 0;

    $("vector").textContent = text;
    $("permalink").href = "#" + text;
    if (document.activeElement !== $("input")) $("input").value = text;
    if (updateLink) history.replaceState(null, "", "#" + text);
  }

  function showError(input, error) {
    $("error").hidden = false;
    $("error-message").textContent = "Not a JG 1.0 vector: " + error.kind + " at column " + error.column
      + (error.metric ? " (" + error.metric + ")" : "") + ": " + error.message;
    $("error-input").textContent = input;
    $("error-caret").textContent = " ".repeat(Math.max(0, error.column - 1)) + "^";
  }

  function load(input, announce) {
    const parsed = parse(input);
    if (!parsed.ok) {
      if (announce) showError(input, parsed.error);
      return false;
    }
    $("error").hidden = true;
    state = { ...parsed.vector };
    render(true);
    return true;
  }

  function fromFragment() {
    const fragment = location.hash.slice(1);
    if (fragment.length === 0) return;
    let text;
    try {
      text = decodeURIComponent(fragment);
    } catch {
      text = fragment;
    }
    load(text, true);
  }

  buildControls();
  $("standard").textContent = definition.standard;
  render(false);
  fromFragment();
  window.addEventListener("hashchange", fromFragment);
  $("paste").addEventListener("submit", (event) => {
    event.preventDefault();
    load($("input").value.trim(), true);
  });
  $("input").addEventListener("input", (event) => {
    // A paste loads at once or shows why it cannot; typing loads quietly once the vector is valid.
    load($("input").value.trim(), event.inputType === "insertFromPaste");
  });
  document.body.dataset.ready = "true";
})();
