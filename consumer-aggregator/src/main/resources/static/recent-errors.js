// The latest errors one by one, newest first, narrowed by type, page and time: the way to an error
// the top errors do not show (a rare one, or one on a given page). Read from the writer's query API;
// each opens its group (error-group.js).
import { cell, credentials, dashboardSettings, field, fillTable, latestPlausibleTime, when, writerApi } from './page.js';
import { groupLink } from './error-group.js';

const PAGE_SIZE = 20;
const SINCE_MILLIS = { '15m': 15 * 60 * 1000, '1h': 60 * 60 * 1000, '24h': 24 * 60 * 60 * 1000, '7d': 7 * 24 * 60 * 60 * 1000 };
let shownRequest = 0;
// The cursor of the next (older) page, how many errors the pages before the shown one held (a page
// may stop short of PAGE_SIZE at the writer's byte budget), and how many the shown one holds.
let next = null;
let before = 0;
let shown = 0;
let suggestedFor = null;
// The filters the shown pages were read with, and the query of the shown page (older pages and timed
// refreshes read with them, whatever the form says meanwhile: its project included), and whether a
// read is under way (a timed refresh then leaves it alone).
let shownFilters = null;
let shownQuery = null;
let reading = false;

// What the form asks for when submitted: the filters a page is read with, and refreshed with.
function submittedFilters() {
  return { apikey: credentials().apikey, type: field('recent-type').value, page: field('recent-page').value.trim(),
    since: field('recent-since').value };
}

// The first page's query for those filters, its time range ending now.
function queryOf(filters) {
  const query = { apikey: filters.apikey, pageSize: PAGE_SIZE, endTime: latestPlausibleTime() };
  if (filters.type) query.type = filters.type;
  if (filters.page) query.pageUrlPrefix = filters.page;
  if (SINCE_MILLIS[filters.since]) query.startTime = Date.now() - SINCE_MILLIS[filters.since];
  return query;
}

async function fillTypes() {
  const select = field('recent-type');
  if (select.options.length > 1) return;
  for (const type of (await dashboardSettings()).errorTypes) {
    select.append(new Option(type, type));
  }
}

function row(error) {
  return [cell(when(error.time), 'nowrap'), cell(error.type, 'nowrap'), groupLink(error.fingerprint, error.errorTitle, error),
    cell(error.pageUrl || ''), cell(error.uuid || '–', 'id')];
}

// Pages seen in the list, offered as the page filter's suggestions.
function suggestPages(list) {
  const options = field('recent-pages');
  if (suggestedFor !== credentials().apikey) options.replaceChildren(); // another project's pages
  suggestedFor = credentials().apikey;
  const known = new Set([...options.options].map((option) => option.value));
  for (const error of list) {
    // (a page address of a megabyte is no suggestion)
    if (typeof error.pageUrl === 'string' && error.pageUrl !== '' && error.pageUrl.length <= 2000 && !known.has(error.pageUrl)) {
      known.add(error.pageUrl);
      options.append(new Option(error.pageUrl));
    }
  }
}

async function read(filters, older) {
  const request = ++shownRequest;
  const line = field('recent-status');
  reading = true;
  if (!older) field('recent-older').hidden = true; // the shown page's cursor is not read on under other filters
  try {
    await fillTypes();
    const query = older ? { ...shownQuery, after: next } : queryOf(filters);
    const answer = await writerApi('/api/errors/list', query);
    if (request !== shownRequest) return; // the filters changed meanwhile
    shownFilters = filters;
    shownQuery = query;
    before = older ? before + shown : 0;
    shown = answer.list.length;
    next = answer.next || null;
    fillTable('recent-errors', answer.list, 'No errors match.', row);
    suggestPages(answer.list);
    line.textContent = shown === 0 ? '' : (before + 1) + '–' + (before + shown) + ' of '
      + (answer.totalIsAtLeast ? 'at least ' : '') + answer.total + ', newest first';
    line.className = 'recent-status';
    field('recent-older').hidden = !next;
  } catch (error) {
    if (request !== shownRequest) return;
    // What was shown may be another project's, or of other filters: not left under this message,
    // and the next refresh reads the first page again.
    fillTable('recent-errors', [], 'Not read.', row);
    field('recent-older').hidden = true;
    before = 0;
    line.textContent = error.message;
    line.className = 'recent-status error';
  } finally {
    if (request === shownRequest) reading = false;
  }
}

/** Reads the first page again with the filters it was read with, unless the reader went on to older errors. */
export function refreshRecentErrors() {
  if (before === 0 && !reading) read(shownFilters || submittedFilters(), false);
}

/** Back to the first page: other filters. */
export function showRecentErrors() {
  before = 0;
  read(submittedFilters(), false);
}

/** Another project: nothing of the last one's stays on screen, even before its numbers come. */
export function forgetRecentErrors() {
  shownRequest++;
  reading = false;
  before = 0;
  shownFilters = null;
  fillTable('recent-errors', [], 'Reading…', row);
  field('recent-older').hidden = true;
  field('recent-status').textContent = '';
}

field('recent-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  showRecentErrors();
});
field('recent-type').addEventListener('change', showRecentErrors);
field('recent-since').addEventListener('change', showRecentErrors);
field('recent-older').addEventListener('click', () => read(shownFilters, true));
