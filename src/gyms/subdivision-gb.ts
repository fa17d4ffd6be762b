// The UK's nations (date-holidays' GB states ENG, SCT, WLS, NIR: Scotland's 2 January and St Andrew's Day,
// Northern Ireland's 17 March and 12 July, England and Wales's August bank holiday) from a postcode or an area code.
// libphonenumber's geocoder names a town per UK area code ("Forfar", "Bridport"), never a nation, and UK codes were
// handed out town by town (01307 Forfar beside 01308 Bridport), so the codes are listed here, from those town
// names. Reliable as far as a code or postcode area lies in one nation; those that serve both sides of a border
// are left out (the gym gets none): England–Scotland around Berwick and Coldstream, England–Wales along the
// Marches (Chester, Oswestry, Welshpool, Wrexham, Hay, Knighton, Kington, Monmouth, Chepstow, Abergavenny...).
// 028 is Northern Ireland's alone and 029 Cardiff's. Mobiles (07) and non-geographic numbers (03, 08) say nothing.

const set = (s: string): ReadonlySet<string> => new Set(s.trim().split(/\s+/));

/** Area codes (without the 0) in Scotland. */
const SCOTLAND = set(`
  131 141 1224 1236 1241 1250 1259 1261 1290 1292 1294 1301 1307 1309 1320 1324 1330 1333 1334 1337 1339 1340 1343
  1346 1349 1350 1355 1356 1357 1358 1360 1361 1368 1369 1381 1382 1383 1387 1389 1397 1408 1431 1436 1445 1450
  1456 1461 1463 1464 1465 1466 1467 1470 1471 1475 1478 1479 1496 1499 1501 1505 1506 1520 1528 1540 1542 1546
  1549 1555 1556 1557 1560 1561 1563 1567 1569 1571 1573 1575 1576 1577 1578 1581 1583 1586 1592 1593 1595 1599
  1620 1631 1641 1644 1651 1655 1659 1667 1671 1674 1680 1681 1683 1687 1688 1698 1700 1721 1738 1750 1764 1770
  1771 1776 1779 1786 1796 1806 1807 1808 1809 1821 1828 1835 1838 1847 1848 1851 1852 1854 1855 1856 1857 1859
  1862 1863 1864 1866 1870 1871 1875 1876 1877 1878 1879 1880 1882 1887 1888 1896 1899 1950 1951 1955 1957 1967
  1968 1971 1972 1975 1988 1997`);

/** Area codes (without the 0) in Wales. */
const WALES = set(`
  29 1239 1248 1267 1269 1286 1341 1348 1352 1407 1437 1443 1446 1490 1492 1495 1545 1550 1554 1558 1559 1570
  1591 1597 1633 1639 1646 1650 1654 1656 1678 1685 1686 1690 1745 1758 1766 1792 1824 1834 1874 1970 1974 1982
  1994`);

/** Area codes whose exchanges serve both sides of a border. */
const BORDER = set('1244 1289 1291 1497 1544 1547 1588 1600 1691 1873 1890 1938 1948 1978');

/**
 * The nation of a UK geographic number (its national significant number, "1314960000" for 0131 496 0000); undefined
 * for a border code or a number that is not geographic. Every other 01/02 code is England's.
 */
export function nationOfNumber(national: string): string | undefined {
  if (!/^[12]\d{8,9}$/.test(national)) return undefined;
  if (national.startsWith('28')) return 'NIR';
  // Codes are 2 to 4 digits here (the 5-digit ones under 013873 Langholm, 016973 Wigton... share their 4-digit
  // code's nation).
  for (let len = 4; len >= 2; len--) {
    const code = national.slice(0, len);
    if (SCOTLAND.has(code)) return 'SCT';
    if (WALES.has(code)) return 'WLS';
    if (BORDER.has(code)) return undefined;
  }
  return 'ENG';
}

/** Postcode areas wholly in Scotland. TD's districts 12 and 15 cross the border; see BORDER_DISTRICTS. */
const SCOTLAND_AREAS = set('AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE');
/** Postcode areas wholly in Wales (CH, HR, LD, LL, NP and SY cross the border and are in no list). */
const WALES_AREAS = set('CF SA');
/** Postcode areas wholly in England (GY, JE and IM are the Crown Dependencies, not the UK). */
const ENGLAND_AREAS = set(`
  AL B BA BB BD BH BL BN BR BS CA CB CM CO CR CT CV CW DA DE DH DL DN DT DY E EC EN EX FY GL GU HA HD HG HP HU HX IG
  IP KT L LA LE LN LS LU M ME MK N NE NG NN NR NW OL OX PE PL PO PR RG RH RM S SE SG SK SL SM SN SO SP SR SS ST SW
  TA TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO`);
/** Districts on the England–Scotland border: Longtown, Canonbie, Gretna, Coldstream/Cornhill, Berwick. */
const BORDER_DISTRICTS = set('CA6 DG14 DG16 TD12 TD15');

/** A full UK postcode ("EH1 1AA", "SW1A 2AA"): its area letters and district. */
const POSTCODE = /\b([A-Z]{1,2})(\d[A-Z\d]?) ?\d[A-Z]{2}\b/gi;

/** The nation of the last full postcode in an address; undefined when there is none or it crosses a border. */
export function nationOfPostcode(address: string): string | undefined {
  const last = [...address.matchAll(POSTCODE)].at(-1);
  if (last === undefined) return undefined;
  const area = (last[1] as string).toUpperCase();
  const district = (last[2] as string).toUpperCase();
  // A district's closing letter (W1A, EC1A) names part of it: the district is its digits.
  if (BORDER_DISTRICTS.has(area + district.replace(/[A-Z]$/, ''))) return undefined;
  if (SCOTLAND_AREAS.has(area)) return 'SCT';
  if (area === 'BT') return 'NIR';
  if (WALES_AREAS.has(area)) return 'WLS';
  return ENGLAND_AREAS.has(area) ? 'ENG' : undefined;
}
