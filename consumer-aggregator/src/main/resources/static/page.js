// What the dashboard's views share: the project's credentials, the two APIs they read, and how
// they show what they read. Everything an SDK sent (error titles, page URLs, breadcrumbs) is
// untrusted: it is only ever set as text.

const COLORS = ['#3e63dd', '#e5484d', '#30a46c', '#f76b15', '#8e4ec6', '#12a594', '#d6409f', '#978365'];
const charts = {};

export const field = (id) => document.getElementById(id);
export const count = (value) => Number(value).toLocaleString('en-US');

export function credentials() {
  return { apikey: field('apikey').value.trim(), token: field('token').value.trim(), window: field('window').value };
}

/** The metrics API (this aggregator) over the chosen window. */
export async function api(path, params) {
  const { apikey, window } = credentials();
  return get(path, new URLSearchParams({ apikey, window, ...params }));
}

// What the page learns of the aggregator once: where the writer answers, and which types are errors.
let settings = null;

export function dashboardSettings() {
  settings = settings || get('/api/dashboard/settings', new URLSearchParams())
    .catch((error) => { settings = null; throw error; });
  return settings;
}

// The writer finds events by the time the browser gave them, which a client may set to any time up
// to the year 2286: those later than this much past now are left out, so that none stays "latest".
const CLOCK_SKEW_MILLIS = 60 * 60 * 1000;

/** The end of every time range the page asks the writer for. */
export const latestPlausibleTime = () => Date.now() + CLOCK_SKEW_MILLIS;

/** The writer's query API, which takes a time range (epoch ms) where the metrics API takes a window. */
export async function writerApi(path, params) {
  const base = (await dashboardSettings()).writerUrl;
  try {
    return await get(base + path, new URLSearchParams({ apikey: credentials().apikey, ...params }));
  } catch (error) {
    if (error instanceof TypeError) {
      // No answer at all: the writer is elsewhere, or refuses this page's origin (CORS).
      throw new Error('The writer at ' + base + ' did not answer this page: check that it runs there (DASHBOARD_WRITER_URL) '
        + 'and lets ' + location.origin + ' read it (WRITER_DASHBOARD_ORIGINS).');
    }
    throw error;
  }
}

/** When an event happened, by the browser's clock, in the viewer's time zone. */
export const when = (millis) => (millis === null || millis === undefined ? '–' : new Date(millis).toLocaleString());

async function get(url, query) {
  const response = await fetch(url + '?' + query, { headers: { Authorization: 'Bearer ' + credentials().token } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw Object.assign(new Error(body.message || ('HTTP ' + response.status)), { status: response.status });
  }
  return body.data;
}

export function setText(id, text, rating) {
  const element = field(id);
  element.textContent = text;
  if (rating !== undefined) {
    element.className = element.className.replace(/\brating-\S+/g, '').trim();
    if (rating) element.classList.add('rating-' + rating);
  }
}

// A page address or session id an SDK sent may be a megabyte long: shown cut, for every viewer's sake.
const MAX_SHOWN_CHARACTERS = 2000;

/** {@code text}, cut to what a screen can show, saying how long it was. */
export function shortened(text) {
  const value = String(text);
  return value.length <= MAX_SHOWN_CHARACTERS ? value
    : value.slice(0, MAX_SHOWN_CHARACTERS) + '… (' + count(value.length) + ' characters)';
}

export function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = shortened(text);
  if (className) td.className = className;
  return td;
}

export function fillTable(id, rows, emptyText, toCells) {
  const body = document.querySelector('#' + id + ' tbody');
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = cell(emptyText, 'empty');
    td.colSpan = document.querySelectorAll('#' + id + ' th').length;
    tr.append(td);
    body.append(tr);
    return;
  }
  for (const row of rows) {
    const tr = document.createElement('tr');
    tr.append(...toCells(row));
    body.append(tr);
  }
}

/** A uPlot chart of one x axis (seconds) and a series per label, redrawn in place while its labels stay the same. */
export function drawChart(id, labels, data) {
  const element = field(id);
  const key = labels.join('|');
  const existing = charts[id];
  if (existing && existing.key === key) {
    existing.plot.setData(data);
    return;
  }
  if (existing) existing.plot.destroy();
  const options = {
    width: Math.max(320, element.clientWidth), height: 240,
    series: [{}, ...labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, points: { show: false } }))],
    axes: [{}, { size: 56 }],
  };
  charts[id] = { key, plot: new uPlot(options, data, element) };
}

window.addEventListener('resize', () => {
  for (const [id, chart] of Object.entries(charts)) {
    chart.plot.setSize({ width: Math.max(320, field(id).clientWidth), height: 240 });
  }
});

/** Says how the last read went, in the line under the form. */
export function showStatus(text, failed) {
  const status = field('status');
  status.className = failed ? 'error' : '';
  status.textContent = text;
}
