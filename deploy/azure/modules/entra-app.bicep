// The Entra application whose tokens AWS trusts: the worker asks Entra for a token with audience
// <identifierUri> (config aws.auth.audience) and exchanges it at STS AssumeRoleWithWebIdentity.
// Uses the Microsoft Graph Bicep extension; the deploying principal needs the Graph permissions
// Application.ReadWrite.All and AppRoleAssignment.ReadWrite.All (deploy/README.md has the az CLI
// steps for tenants where that is not granted).

extension microsoftGraphV1

@description('Identifier URI = the audience of the tokens (config aws.auth.audience, CloudFormation Audience).')
param audience string

@description('Object (principal) id of the worker identity, granted the app role.')
param workerPrincipalId string

param displayName string = 'Skyferry AWS federation'

// Fixed so redeployments keep the same role id (and existing assignments).
var assumeRoleAppRoleId = guid(audience, 'skyferry-aws-assume-role')

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: 'skyferry-aws-federation-${uniqueString(audience)}'
  displayName: displayName
  identifierUris: [audience]
  api: {
    // v1 tokens: iss https://sts.windows.net/<tenant>/ and aud = the identifier URI, which is what
    // the IAM OIDC provider and trust policy match. v2 would put the bare client id in aud and
    // AWS rejects it (aws-sdk-net #3071, #3100).
    requestedAccessTokenVersion: 1
  }
  appRoles: [
    {
      id: assumeRoleAppRoleId
      allowedMemberTypes: ['Application']
      displayName: 'Assume the Skyferry AWS role'
      description: 'Lets a workload get tokens for this audience and exchange them for AWS credentials.'
      value: 'AWS.AssumeRole'
      isEnabled: true
    }
  ]
}

resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: app.appId
  // Only identities holding the app role get tokens (others fail with AADSTS501051).
  appRoleAssignmentRequired: true
}

resource workerAssignment 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: assumeRoleAppRoleId
  principalId: workerPrincipalId
  resourceId: servicePrincipal.id
}

output appId string = app.appId
output audience string = audience
