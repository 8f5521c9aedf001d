// A user-assigned managed identity and the federated credentials that let Kubernetes service
// accounts act as it (Microsoft Entra Workload ID). App Service attaches the identity directly.

@description('Azure region.')
param location string

@description('Name of the user-assigned managed identity.')
param identityName string

@description('AKS OIDC issuer URL (az aks show --query oidcIssuerProfile.issuerUrl). Empty: no federation.')
param oidcIssuerUrl string = ''

@description('Service account subjects (system:serviceaccount:<namespace>:<name>) that may act as this identity.')
param federatedSubjects array = []

param tags object = {}

// The audience the AKS webhook projects tokens for; Entra requires exactly this value.
var tokenExchangeAudience = 'api://AzureADTokenExchange'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

// One at a time: Entra rejects concurrent federated credential writes on the same identity.
@batchSize(1)
resource federatedCredentials 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = [for subject in (empty(oidcIssuerUrl) ? [] : federatedSubjects): {
  parent: identity
  name: replace(replace(subject, 'system:serviceaccount:', 'sa-'), ':', '-')
  properties: {
    issuer: oidcIssuerUrl
    subject: subject
    audiences: [tokenExchangeAudience]
  }
}]

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
output tenantId string = identity.properties.tenantId
