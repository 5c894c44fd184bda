// The neighbourhood drawing on a configuration item's page (templates/cmdb/item.html):
// fetches data-graph-url (nodes and edges the reader may read) and draws it with cytoscape.js,
// coloured by layer, connected_to dashed, a click on an item opens its page.
(function () {
  "use strict";

  var LAYER_COLOURS = {
    business: "#6f42c1",
    application: "#0d6efd",
    technical: "#20c997",
    component: "#6c757d"
  };

  function note(container, text) {
    var p = document.createElement("p");
    p.className = "cmdb-graph-note";
    p.textContent = text;
    container.appendChild(p);
  }

  function elements(data) {
    var nodes = data.nodes.map(function (n) {
      return {
        group: "nodes",
        data: { id: String(n.id), label: n.name, layer: n.layer, state: n.state, url: n.url },
        classes: [
          "layer-" + n.layer,
          "state-" + n.state,
          n.id === data.centre ? "centre" : ""
        ].join(" ")
      };
    });
    var edges = data.edges.map(function (e, i) {
      return {
        group: "edges",
        data: { id: "e" + i, source: String(e.source), target: String(e.target), type: e.type },
        classes: "type-" + e.type
      };
    });
    return nodes.concat(edges);
  }

  function style() {
    var rules = [
      {
        selector: "node",
        style: {
          "background-color": "#6c757d",
          label: "data(label)",
          "font-size": 11,
          color: "#212529",
          "text-valign": "bottom",
          "text-margin-y": 4,
          "text-wrap": "ellipsis",
          "text-max-width": 120,
          "text-background-color": "#fbfcfd",
          "text-background-opacity": 0.85,
          "text-background-padding": 2,
          width: 22,
          height: 22
        }
      },
      { selector: "node.centre", style: { width: 34, height: 34, "font-weight": "bold", "border-width": 3, "border-color": "#212529" } },
      { selector: "node.state-maintenance", style: { "border-width": 4, "border-color": "#fd7e14" } },
      { selector: "node.state-retired", style: { opacity: 0.45 } },
      {
        selector: "edge",
        style: {
          width: 1.5,
          "line-color": "#adb5bd",
          "target-arrow-color": "#adb5bd",
          "target-arrow-shape": "triangle",
          "curve-style": "bezier"
        }
      },
      { selector: "edge.type-connected_to", style: { "line-style": "dashed", "target-arrow-shape": "none" } },
      { selector: "edge.type-member_of", style: { "line-color": "#9ec5fe", "target-arrow-color": "#9ec5fe" } }
    ];
    Object.keys(LAYER_COLOURS).forEach(function (layer) {
      rules.push({ selector: "node.layer-" + layer, style: { "background-color": LAYER_COLOURS[layer] } });
    });
    return rules;
  }

  function draw(container) {
    fetch(container.dataset.graphUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("graph " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var cy = window.cytoscape({
          container: container,
          elements: elements(data),
          style: style(),
          layout: data.nodes.length > 1
            ? { name: "cose", animate: false, padding: 24, nodeRepulsion: 9000, idealEdgeLength: 70, randomize: false }
            : { name: "grid", padding: 24 },
          minZoom: 0.2,
          maxZoom: 3,
          wheelSensitivity: 0.3
        });
        cy.on("tap", "node", function (event) {
          var url = event.target.data("url");
          if (url && !event.target.hasClass("centre")) { window.location.href = url; }
        });
        container.dataset.drawn = String(data.nodes.length);
        if (data.edges.length === 0) { note(container, container.dataset.empty); }
        else if (data.truncated) { note(container, container.dataset.truncated); }
      })
      .catch(function () {
        container.dataset.drawn = "failed";
      });
  }

  function start() {
    var container = document.getElementById("ci-graph");
    if (container && window.cytoscape) { draw(container); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
