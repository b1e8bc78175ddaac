package internal

import (
	_ "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	_ "github.com/alibabacloud-go/openapi-util/service"
	_ "github.com/alibabacloud-go/tea/tea"
	_ "github.com/aliyun/credentials-go/credentials"
	_ "github.com/google/uuid"
	_ "github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	_ "github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	_ "github.com/hashicorp/terraform-plugin-framework/providerserver"
	_ "github.com/hashicorp/terraform-plugin-go/tfprotov6"
	_ "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	_ "github.com/hashicorp/terraform-plugin-testing/plancheck"
	_ "github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	_ "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	_ "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	_ "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	_ "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	_ "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
)
