/* The home page's search: the prebuilt index (static/search-index.js sets window.SEARCH_INDEX), every
   word typed matched against each item's name, code, department, category and 服务对象. Results are
   built as elements and text nodes, never as HTML. */
(function () {
  "use strict";
  var LIMIT = 50;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var index = window.SEARCH_INDEX;
  if (!form || !input || !status || !list || !Array.isArray(index)) {
    return;
  }

  function fold(text) {
    return String(text || "").normalize("NFKC").toLowerCase().replace(/\s+/g, "");
  }

  var rows = index.map(function (entry) {
    var fields = [entry.name, entry.code, entry.department, entry.department_short, entry.category, entry.audience];
    return { entry: entry, text: fields.map(fold).join("\u0001") };
  });

  function show() {
    var words = input.value.split(/\s+/).map(fold).filter(Boolean);
    list.textContent = "";
    if (!words.length) {
      status.textContent = "";
      return;
    }
    var found = rows.filter(function (row) {
      return words.every(function (word) { return row.text.indexOf(word) !== -1; });
    });
    found.slice(0, LIMIT).forEach(function (row) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = row.entry.link;
      link.textContent = row.entry.name;
      item.appendChild(link);
      var about = [row.entry.department, row.entry.category, row.entry.audience].filter(Boolean).join(" · ");
      item.appendChild(document.createTextNode("（" + about + "）"));
      list.appendChild(item);
    });
    if (!found.length) {
      status.textContent = "没有找到相关事项";
    } else if (found.length > LIMIT) {
      status.textContent = "找到 " + found.length + " 个事项，显示前 " + LIMIT + " 个";
    } else {
      status.textContent = "找到 " + found.length + " 个事项";
    }
  }

  form.hidden = false;
  input.addEventListener("input", show);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show();
  });
}());
