// HealthDataSpace gateway on Azure: Container Apps (HTTP/2 ingress), PostgreSQL Flexible Server 15 on a private
// subnet, a Storage account for research datasets, Log Analytics, and a user-assigned managed identity.
//
//   az deployment group create -g <rg> -f infra/azure/main.bicep -p @infra/azure/main.parameters.json
//
// Not in this template: the Microsoft Entra app registration. App registrations are directory (Microsoft Graph)
// objects, not Azure Resource Manager resources, so they are created once per tenant with the Azure CLI:
//   az ad app create --display-name healthdataspace-gateway --app-roles @infra/azure/app-roles.json
// app-roles.json defines the four app roles the gateway authorises on (the `roles` claim): Hospital, Device, Steward,
// Researcher, each with allowedMemberTypes Application and User. Pass the new appId as azureAdClientId below.
// docs/operations.md has the full sequence.

targetScope = 'resourceGroup'

@description('Azure region for every resource.')
param location string = resourceGroup().location

@description('Short lowercase prefix for resource names (letters and digits; the storage account name is prefix + 13 chars).')
@minLength(3)
@maxLength(11)
param namePrefix string = 'hds'

@description('Gateway container image, e.g. myregistry.azurecr.io/healthdataspace/gateway:1.0.0.')
param containerImage string

@description('Registry server of containerImage when it is private (e.g. myregistry.azurecr.io); empty for a public image. Grant the managed identity AcrPull on that registry.')
param containerRegistryServer string = ''

@description('PostgreSQL administrator login.')
param postgresAdminLogin string = 'hdsadmin'

@description('PostgreSQL administrator password. Never commit it: pass it at deployment time or from Key Vault.')
@secure()
param postgresAdminPassword string

@description('Pseudonymisation master key (base64, at least 32 random bytes). Never commit it: pass it at deployment time or from Key Vault.')
@secure()
param privacyMasterKey string

@description('PostgreSQL compute SKU. Burstable B1ms is enough for a pilot; use GeneralPurpose for production.')
param postgresSkuName string = 'Standard_B1ms'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresSkuTier string = 'Burstable'

@description('Microsoft Entra instance (AzureAd:Instance); ends with a slash.')
param azureAdInstance string = environment().authentication.loginEndpoint

@description('Tenant of the gateway app registration (AzureAd:TenantId).')
param azureAdTenantId string = tenant().tenantId

@description('Application (client) ID of the gateway app registration (AzureAd:ClientId).')
param azureAdClientId string

@minValue(1)
param minReplicas int = 1

// Replicas are stateless: each keeps a consent index in memory but follows the consent change feed in the database
// before every decision (docs/consent-model.md), so a revocation through one replica is enforced by all.
@minValue(1)
param maxReplicas int = 3

@description('Base64 of at least 32 random bytes sealing the audit chain (Audit:ChainKey); keep a copy with the database backups.')
@secure()
param auditChainKey string

@description('Base64 of exactly 32 random bytes encrypting device keys at rest (Devices:KeyEncryptionKey); keep a copy with the database backups.')
@secure()
param deviceKeyEncryptionKey string

var suffix = uniqueString(resourceGroup().id)
var databaseName = 'healthdataspace'
var datasetContainerName = 'datasets'
// Built-in role "Storage Blob Data Contributor".
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

// ---------------------------------------------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------------------------------------------

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs-${suffix}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Network: the database gets no public endpoint at all; only the Container Apps subnet reaches it.
// ---------------------------------------------------------------------------------------------------------------

resource vnet 'Microsoft.Network/virtualNetworks@2023-09-01' = {
  name: '${namePrefix}-vnet-${suffix}'
  location: location
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.40.0.0/16'
      ]
    }
    subnets: [
      {
        // Workload-profiles environments need a subnet delegated to Microsoft.App/environments (/27 or larger).
        name: 'apps'
        properties: {
          addressPrefix: '10.40.0.0/23'
          delegations: [
            {
              name: 'containerapps'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        // PostgreSQL Flexible Server with private access owns a delegated subnet of its own.
        name: 'postgres'
        properties: {
          addressPrefix: '10.40.2.0/24'
          delegations: [
            {
              name: 'postgres'
              properties: {
                serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers'
              }
            }
          ]
        }
      }
    ]
  }
}

resource appsSubnet 'Microsoft.Network/virtualNetworks/subnets@2023-09-01' existing = {
  parent: vnet
  name: 'apps'
}

resource postgresSubnet 'Microsoft.Network/virtualNetworks/subnets@2023-09-01' existing = {
  parent: vnet
  name: 'postgres'
}

// The server's name must resolve to its private address inside the VNet; the zone name must end in
// .postgres.database.azure.com.
resource postgresDnsZone 'Microsoft.Network/privateDnsZones@2020-06-01' = {
  name: '${namePrefix}-${suffix}.private.postgres.database.azure.com'
  location: 'global'
}

resource postgresDnsLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2020-06-01' = {
  parent: postgresDnsZone
  name: 'vnet-link'
  location: 'global'
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL: the identified store.
// ---------------------------------------------------------------------------------------------------------------

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2022-12-01' = {
  name: '${namePrefix}-pg-${suffix}'
  location: location
  sku: {
    name: postgresSkuName
    tier: postgresSkuTier
  }
  properties: {
    version: '15'
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    storage: {
      storageSizeGB: 32
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    // Private access (VNet integration): no public endpoint, so no firewall rule can ever open it to the internet.
    network: {
      delegatedSubnetResourceId: postgresSubnet.id
      privateDnsZoneArmResourceId: postgresDnsZone.id
    }
  }
  dependsOn: [
    postgresDnsLink
  ]
}

resource postgresDatabase 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2022-12-01' = {
  parent: postgres
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Storage: research datasets, manifests and withdrawal notices (Blob).
// ---------------------------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take(toLower('${namePrefix}${suffix}'), 24)
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_ZRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // No anonymous reads of any container, ever: datasets leave only through permits.
    allowBlobPublicAccess: false
    // Entra ID only: the gateway uses its managed identity, so no account key exists in any configuration.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    accessTier: 'Hot'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource datasetContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: datasetContainerName
  properties: {
    publicAccess: 'None'
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Identity: the gateway reaches Blob storage (and a private registry) as this identity, never with a key.
// ---------------------------------------------------------------------------------------------------------------

resource gatewayIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-gateway-id-${suffix}'
  location: location
}

resource blobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, gatewayIdentity.id, storageBlobDataContributorRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: gatewayIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Container Apps
// ---------------------------------------------------------------------------------------------------------------

resource appsEnvironment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${namePrefix}-env-${suffix}'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logAnalytics.properties.customerId
        sharedKey: logAnalytics.listKeys().primarySharedKey
      }
    }
    vnetConfiguration: {
      infrastructureSubnetId: appsSubnet.id
      internal: false
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
  }
}

// Npgsql connection string; VerifyFull checks the server certificate against the system CA store and the host name.
var postgresConnectionString = 'Host=${postgres.properties.fullyQualifiedDomainName};Port=5432;Username=${postgresAdminLogin};Password=${postgresAdminPassword};Database=${databaseName};SSL Mode=VerifyFull;Pooling=true'
// With shared keys disabled, the "connection string" is the blob service URI; the gateway authenticates with the
// managed identity named by AZURE_CLIENT_ID (DefaultAzureCredential).
var blobConnectionString = storage.properties.primaryEndpoints.blob

resource gateway 'Microsoft.App/containerApps@2024-03-01' = {
  name: '${namePrefix}-gateway'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${gatewayIdentity.id}': {}
    }
  }
  properties: {
    managedEnvironmentId: appsEnvironment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        // Envoy speaks HTTP/2 cleartext (h2c, prior knowledge) to the container, so gRPC works through the one
        // HTTPS front door; REST clients may still use HTTP/1.1 towards Envoy. The target endpoint is therefore
        // HTTP/2-only (Kestrel__Endpoints__Http__Protocols below) and carries both REST and gRPC.
        targetPort: 8080
        transport: 'http2'
        allowInsecure: false
      }
      secrets: [
        {
          name: 'audit-chain-key'
          value: auditChainKey
        }
        {
          name: 'device-key-encryption-key'
          value: deviceKeyEncryptionKey
        }
        {
          name: 'postgres-connection'
          value: postgresConnectionString
        }
        {
          name: 'blob-connection'
          value: blobConnectionString
        }
        {
          name: 'privacy-master-key'
          value: privacyMasterKey
        }
      ]
      registries: empty(containerRegistryServer) ? [] : [
        {
          server: containerRegistryServer
          identity: gatewayIdentity.id
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'gateway'
          image: containerImage
          resources: {
            cpu: json('1.0')
            memory: '2Gi'
          }
          env: [
            {
              name: 'ASPNETCORE_ENVIRONMENT'
              value: 'Production'
            }
            {
              name: 'Kestrel__Endpoints__Http__Url'
              value: 'http://0.0.0.0:8080'
            }
            {
              name: 'Kestrel__Endpoints__Http__Protocols'
              value: 'Http2'
            }
            {
              name: 'Kestrel__Endpoints__Grpc__Url'
              value: 'http://0.0.0.0:8081'
            }
            {
              name: 'Kestrel__Endpoints__Grpc__Protocols'
              value: 'Http2'
            }
            {
              // TLS ends at the ingress: take the scheme for Location and paging links from X-Forwarded-Proto.
              name: 'ASPNETCORE_FORWARDEDHEADERS_ENABLED'
              value: 'true'
            }
            {
              name: 'Storage__Provider'
              value: 'Postgres'
            }
            {
              name: 'ConnectionStrings__Postgres'
              secretRef: 'postgres-connection'
            }
            {
              name: 'Blob__Provider'
              value: 'AzureBlob'
            }
            {
              name: 'ConnectionStrings__Blob'
              secretRef: 'blob-connection'
            }
            {
              name: 'Audit__ChainKey'
              secretRef: 'audit-chain-key'
            }
            {
              name: 'Devices__KeyEncryptionKey'
              secretRef: 'device-key-encryption-key'
            }
            {
              name: 'AZURE_CLIENT_ID'
              value: gatewayIdentity.properties.clientId
            }
            {
              name: 'AzureAd__Instance'
              value: azureAdInstance
            }
            {
              name: 'AzureAd__TenantId'
              value: azureAdTenantId
            }
            {
              name: 'AzureAd__ClientId'
              value: azureAdClientId
            }
            {
              name: 'Privacy__MasterKey'
              secretRef: 'privacy-master-key'
            }
          ]
          // TCP probes: Kubernetes HTTP probes speak HTTP/1.1, which an HTTP/2-only endpoint does not answer.
          probes: [
            {
              type: 'Liveness'
              tcpSocket: {
                port: 8080
              }
              initialDelaySeconds: 10
              periodSeconds: 15
            }
            {
              type: 'Readiness'
              tcpSocket: {
                port: 8080
              }
              periodSeconds: 5
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
      }
    }
  }
  dependsOn: [
    blobContributor
    postgresDatabase
    datasetContainer
  ]
}

output gatewayUrl string = 'https://${gateway.properties.configuration.ingress.fqdn}'
output postgresHost string = postgres.properties.fullyQualifiedDomainName
output storageAccountName string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output gatewayIdentityClientId string = gatewayIdentity.properties.clientId
output gatewayIdentityPrincipalId string = gatewayIdentity.properties.principalId
