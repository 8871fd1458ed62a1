// Renders /api/v1/status into the tables every 2 s. Builds the DOM with textContent only:
// nothing from the API is ever parsed as HTML.
"use strict";
(function () {
  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function fill(tableId, items, columns, emptyText) {
    var body = document.querySelector("#" + tableId + " tbody");
    var rows = document.createDocumentFragment();
    if (items.length === 0) {
      var tr = document.createElement("tr");
      var td = cell(tr, emptyText, "empty");
      td.colSpan = document.querySelectorAll("#" + tableId + " th").length;
      rows.appendChild(tr);
    }
    items.forEach(function (item) {
      var tr = document.createElement("tr");
      tr.dataset.name = item.name;
      columns(tr, item);
      rows.appendChild(tr);
    });
    body.replaceChildren(rows);
  }

  function steps(i) {
    var named = [["discovered", i.discoveredAt], ["claimed", i.claimedAt],
      ["boot script", i.bootScriptServedAt], ["answer", i.answerServedAt],
      ["webhook", i.webhookReceivedAt], ["completed", i.completedAt]];
    return named.filter(function (s) { return s[1]; })
      .map(function (s) { return s[0] + " " + s[1]; }).join("\n");
  }

  function render(data) {
    fill("slots", data.slots, function (tr, s) {
      cell(tr, s.order);
      cell(tr, s.name + (s.paused ? " (paused)" : ""));
      cell(tr, s.address);
      cell(tr, s.hostname);
      cell(tr, s.phase || "-", "phase " + (s.phase || ""));
      cell(tr, s.holder ? s.holder + (s.mac ? " (" + s.mac + ")" : "") : "");
    }, "no ProvisioningSlots");
    fill("installs", data.installs, function (tr, i) {
      cell(tr, i.name);
      cell(tr, i.mac);
      cell(tr, (i.phase || "-") + (i.reason ? ": " + i.reason : ""), "phase " + (i.phase || ""));
      cell(tr, i.address);
      cell(tr, i.hostname);
      cell(tr, steps(i), "steps");
      var e = i.lastEvent;
      cell(tr, e ? e.type + " " + e.reason + ": " + e.message + (e.time ? " (" + e.time + ")" : "") : "");
    }, "no NodeInstalls");
    var bound = data.discovery && data.discovery.line;
    document.getElementById("bound").textContent = bound || "";
    document.getElementById("meta").textContent = "namespace " + data.namespace + " \u2014 "
      + data.slots.length + " slots, " + data.installs.length + " machines \u2014 updated "
      + data.generatedAt;
  }

  function refresh() {
    fetch("api/v1/status", { cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        render(data);
        document.getElementById("error").textContent = "";
        document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes) + 1);
      })
      .catch(function (err) {
        document.getElementById("error").textContent = "cannot load status: " + err.message;
      })
      .finally(function () { setTimeout(refresh, 2000); });
  }

  refresh();
})();
