"""The listing walk shared by container and account databases.

Supports marker/end_marker (exclusive bounds), prefix, delimiter (roll names up to
``subdir`` entries, skipping the rest of a subdir in one query) and reverse order.
"""


def list_rows(conn, select, limit, marker='', end_marker='', prefix='', delimiter='',
              reverse=False):
    """``select`` is 'SELECT ... FROM t WHERE deleted = 0' with a ``name`` column."""
    results = []
    if reverse:
        marker, end_marker = end_marker, marker
    lower, upper, lower_inclusive = marker, end_marker, False
    if prefix:
        if not lower or lower < prefix:
            lower, lower_inclusive = prefix, True
        prefix_end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        if not upper or upper > prefix_end:
            upper = prefix_end
    while len(results) < limit:
        sql, args = select, []
        if lower:
            sql += ' AND name %s ?' % ('>=' if lower_inclusive else '>')
            args.append(lower)
        if upper:
            sql += ' AND name < ?'
            args.append(upper)
        asked = limit - len(results)
        sql += ' ORDER BY name %s LIMIT ?' % ('DESC' if reverse else 'ASC')
        rows = conn.execute(sql, args + [asked]).fetchall()
        if not rows:
            break
        jumped = False
        for row in rows:
            name = row['name']
            if delimiter:
                rest = name[len(prefix):]
                idx = rest.find(delimiter)
                if idx >= 0:
                    subdir = prefix + rest[:idx + len(delimiter)]
                    # The marker is the last subdir of the previous page (clients page on
                    # it): its names follow it, but it was listed already.
                    if reverse or subdir != marker:
                        results.append({'subdir': subdir})
                    # Skip every other name under this subdir with the next query.
                    if reverse:
                        upper = subdir
                    else:
                        lower, lower_inclusive = subdir + '\U0010ffff', False
                    jumped = True
                    break
            results.append(dict(row))
            if reverse:
                upper = name
            else:
                lower, lower_inclusive = name, False
            if len(results) >= limit:
                break
        if not jumped and len(rows) < asked:
            break
    return results[:limit]
