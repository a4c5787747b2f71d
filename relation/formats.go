package relation

import (
	"encoding/json"
	"net/netip"
	"net/url"
	"regexp"
)

// Format checks of the AWS scalars, as Amplify's util.ts has them.
var (
	awsDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2}($|:\d{2}))?$`)
	awsTime     = regexp.MustCompile(`^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}($|:\d{2}))?$`)
	awsDateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}($|:\d{2}))?$`)
	awsEmail    = regexp.MustCompile("^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*$")
	awsPhone    = regexp.MustCompile(`^\+?\d[\d\s-]+$`)
	digits      = regexp.MustCompile(`^\d+$`)
)

// jsTypeOfScalar is the JavaScript type a scalar holds.
func jsTypeOfScalar(scalar string) string {
	switch scalar {
	case "Int", "Float", "AWSTimestamp":
		return "number"
	case "Boolean":
		return "boolean"
	case "AWSJSON":
		return "string"
	}
	return "string"
}

// validFormat checks v (already of the right JavaScript type) against the
// format of scalar.
func validFormat(scalar string, v any) bool {
	switch scalar {
	case "AWSDate":
		return awsDate.MatchString(v.(string))
	case "AWSTime":
		return awsTime.MatchString(v.(string))
	case "AWSDateTime":
		return awsDateTime.MatchString(v.(string))
	case "AWSEmail":
		return awsEmail.MatchString(v.(string))
	case "AWSPhone":
		return awsPhone.MatchString(v.(string))
	case "AWSTimestamp":
		return digits.MatchString(jsString(v))
	case "AWSURL":
		u, err := url.Parse(v.(string))
		return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "" || u.Path != "")
	case "AWSIPAddress":
		_, err := netip.ParseAddr(v.(string))
		if err != nil {
			_, err = netip.ParsePrefix(v.(string))
		}
		return err == nil
	case "AWSJSON":
		var x any
		return json.Unmarshal([]byte(v.(string)), &x) == nil
	}
	return true
}
