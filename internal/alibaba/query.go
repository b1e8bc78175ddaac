package alibaba

import (
	"strconv"
	"unicode/utf8"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
)

// rpcQuery flattens the parameters of an RPC call into the query darabonba
// signs and sends: a list of strings as Name.1 … Name.N (the documents'
// "DesktopId.N"), a string as it is, a number or a bool in its decimal or
// true/false form. That is what openapiutil.Query makes of them, which the
// generated ECD SDK calls; it gets there through a JSON round trip and
// reflection, a third of a millisecond for a call naming 100 desktops and
// a tenth of the provider's CPU in a reboot that waits for 10,000. Any
// other value, or text that is not UTF-8 (which the round trip rewrites),
// goes through openapiutil.Query itself. TestRPCQueryMatchesDarabonba
// holds the two to the same output.
func rpcQuery(params map[string]any) map[string]*string {
	size := len(params)
	for _, v := range params {
		if list, ok := v.([]string); ok {
			size += len(list)
		}
	}
	out := make(map[string]*string, size)
	for name, v := range params {
		switch v := v.(type) {
		case string:
			if !utf8.ValidString(v) {
				return openapiutil.Query(params)
			}
			out[name] = &v
		case []string:
			for i, s := range v {
				if !utf8.ValidString(s) {
					return openapiutil.Query(params)
				}
				out[name+"."+strconv.Itoa(i+1)] = &s
			}
		case int:
			s := strconv.Itoa(v)
			out[name] = &s
		case bool:
			s := strconv.FormatBool(v)
			out[name] = &s
		default:
			return openapiutil.Query(params)
		}
	}
	return out
}
