// Sessions & Cookies, Verified: the one script. Copy buttons and search; the pages work without it.
(function () {
  'use strict';
  var script = document.currentScript;
  var root = new URL('../', script ? script.src : location.href);

  // Copy buttons copy the code's text: exactly the code shown, nothing else.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand('copy');
      document.body.removeChild(area);
      ok ? resolve() : reject(new Error('copy failed'));
    });
  }
  document.querySelectorAll('button.copy').forEach(function (button) {
    button.hidden = false;
    button.setAttribute('aria-label', 'Copy this code');
    button.addEventListener('click', function () {
      var code = button.parentElement.querySelector('code');
      copyText(code.textContent).then(function () {
        button.textContent = 'Copied';
      }, function () {
        button.textContent = 'Copy failed';
      });
      setTimeout(function () { button.textContent = 'Copy'; }, 1500);
    });
  });

  // Search: pagefind's index, loaded from this site on first use.
  var box = document.querySelector('.search');
  if (!box) return;
  var input = box.querySelector('input');
  var out = box.querySelector('.search-results');
  var pagefind = null;
  var timer = 0;
  var latest = 0;
  box.hidden = false;

  function load() {
    if (!pagefind) {
      pagefind = import(new URL('pagefind/pagefind.js', root).href).then(function (pf) {
        return Promise.resolve(pf.options({ baseUrl: root.pathname })).then(function () { return pf; });
      });
    }
    return pagefind;
  }
  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; });
  }
  function show(html) { out.innerHTML = html; }
  function run() {
    var query = input.value.trim();
    var ticket = ++latest;
    if (!query) return show('');
    load().then(function (pf) {
      return pf.search(query);
    }).then(function (search) {
      return Promise.all(search.results.slice(0, 8).map(function (r) { return r.data(); }));
    }).then(function (results) {
      if (ticket !== latest) return;
      if (results.length === 0) return show('<p class="none">No results for “' + escapeHtml(query) + '”.</p>');
      show('<ol>' + results.map(function (r) {
        return '<li><a href="' + escapeHtml(r.url) + '">' + escapeHtml(r.meta.title || r.url) + '</a><p>' + r.excerpt + '</p></li>';
      }).join('') + '</ol>');
    }).catch(function () {
      if (ticket === latest) show('<p class="none">Search is not available in this build.</p>');
    });
  }
  input.addEventListener('focus', function () { load().catch(function () {}); }, { once: true });
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') { input.value = ''; show(''); }
  });
  document.addEventListener('click', function (event) {
    if (!box.contains(event.target)) show('');
  });
})();
