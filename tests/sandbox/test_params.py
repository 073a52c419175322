"""PHP parse_str semantics of query strings and batch commands."""

from sandbox.server.params import decode_request, lists_from_maps, parse_php_query


def test_nested_brackets_and_appends():
    parsed = parse_php_query("filter[%3EID]=5&filter[STAGE_ID][]=NEW&filter[STAGE_ID][]=WON&select[0]=ID&start=-1")
    assert lists_from_maps(parsed) == {"filter": {">ID": "5", "STAGE_ID": ["NEW", "WON"]}, "select": ["ID"], "start": "-1"}


def test_plus_is_space_and_percent_decoding():
    assert parse_php_query("filter[%25TITLE]=sofa+bed%21") == {"filter": {"%TITLE": "sofa bed!"}}


def test_json_body_wins_over_query():
    params = decode_request("start=0&x=1", "application/json", b'{"start": 50}')
    assert params == {"start": 50, "x": "1"}


def test_multipart_body():
    body = (b"--b\r\nContent-Disposition: form-data; name=\"filter[ID]\"\r\n\r\n7\r\n--b--\r\n")
    assert decode_request("", "multipart/form-data; boundary=b", body) == {"filter": {"ID": "7"}}
