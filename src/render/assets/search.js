// Sessions & Cookies, Verified: search, loaded by site.js when the search box is first used.
// pagefind's index is loaded from this site; results are shown under the box.
export function start(box, root) {
  var input = box.querySelector('input');
  var out = box.querySelector('.search-results');
  var pagefind = null;
  var timer = 0;
  var latest = 0;

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
  load().catch(function () {});
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
  if (input.value.trim()) run();
}
