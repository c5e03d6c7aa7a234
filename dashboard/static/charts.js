// Draws every chart of the page with ECharts from the options the server wrote beside it (JSON, never run).
(function () {
  "use strict";
  function draw() {
    var boxes = document.querySelectorAll(".chart[data-options]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var source = document.getElementById(box.getAttribute("data-options"));
      if (!source || typeof window.echarts === "undefined") {
        continue;
      }
      var chart = window.echarts.init(box, null, { renderer: "canvas" });
      chart.setOption(JSON.parse(source.textContent));
      window.addEventListener("resize", chart.resize);
      box.setAttribute("data-drawn", "true");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
