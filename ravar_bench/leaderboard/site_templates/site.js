// Sortable columns and on-demand run details; no network, no libraries.
(function () {
  "use strict";
  const runs = JSON.parse(document.getElementById("runs-data").textContent);
  const classes = JSON.parse(document.getElementById("classes-data").textContent);

  // Rows without a number in a numeric column go last in both directions; ties keep the built order.
  function compare(a, b, numeric, sign) {
    if (numeric) {
      const x = a.dataset.sort === undefined ? null : Number(a.dataset.sort);
      const y = b.dataset.sort === undefined ? null : Number(b.dataset.sort);
      if (x === null || y === null) return (x === null) - (y === null);
      return sign * (x - y);
    }
    return sign * a.textContent.localeCompare(b.textContent);
  }

  function sortBy(table, th) {
    const col = Number(th.dataset.col);
    const numeric = th.dataset.numeric === "1";
    const now = th.getAttribute("aria-sort");
    const first = numeric ? "descending" : "ascending";
    const dir = now === null ? first : (now === "ascending" ? "descending" : "ascending");
    table.querySelectorAll("th[aria-sort]").forEach((h) => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", dir);
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const sign = dir === "ascending" ? 1 : -1;
    rows.sort((a, b) => compare(a.cells[col], b.cells[col], numeric, sign) || a.dataset.order - b.dataset.order);
    rows.forEach((row) => body.appendChild(row));
  }

  function element(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  }

  function provenance(run) {
    const list = element("dl");
    const link = element("a", run.id, { href: run.href });
    list.append(element("dt", "run"), element("dd"));
    list.lastChild.append(link, " " + run.label);
    Object.entries(run.provenance).forEach(([key, value]) => {
      list.append(element("dt", key), element("dd", value === null ? "not recorded" : String(value)));
    });
    return list;
  }

  function perClass(shown) {
    const table = element("table", undefined, { class: "ap" });
    const head = table.createTHead().insertRow();
    head.append(element("th", "class"), ...shown.map((run) => element("th", "AP % " + run.id)));
    const body = table.createTBody();
    classes.forEach((name, c) => {
      if (shown.every((run) => run.ap[c] === null)) return;
      const row = body.insertRow();
      row.append(element("td", (c + 1) + " " + name));
      shown.forEach((run) => {
        const cell = row.insertCell();
        const ap = run.ap[c];
        if (ap === null) { cell.textContent = "n/a"; return; }
        cell.append(element("span", undefined, { class: "bar", style: "width:" + ap + "px" }), ap.toFixed(1));
      });
    });
    if (!body.rows.length) return element("p", "No per-class AP recorded for these runs.");
    return table;
  }

  function showDetails(block, row) {
    const panel = block.querySelector(".details");
    block.querySelectorAll("tr.selected").forEach((r) => r.classList.remove("selected"));
    if (!panel.hidden && panel.dataset.row === row.dataset.order) { panel.hidden = true; return; }
    const shown = row.dataset.runs.split(",").map((n) => runs[Number(n)]);
    panel.replaceChildren(element("h4", "Runs of this row"), ...shown.map(provenance),
                          element("h4", "Per-class AP"), perClass(shown));
    panel.dataset.row = row.dataset.order;
    panel.hidden = false;
    row.classList.add("selected");
  }

  document.querySelectorAll(".table-block").forEach((block) => {
    const table = block.querySelector("table.board");
    if (!table) return;
    Array.from(table.tBodies[0].rows).forEach((row, i) => { row.dataset.order = String(i); });
    table.querySelectorAll("th[data-col] button").forEach((button) => {
      button.addEventListener("click", () => sortBy(table, button.parentElement));
    });
    block.querySelectorAll(".details-button").forEach((button) => {
      button.addEventListener("click", () => showDetails(block, button.closest("tr")));
    });
  });
}());
