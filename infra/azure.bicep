// Warden in Azure, deployed by `teamsapp provision` (arm/deploy in teamsapp.yml) into one resource group.
// One user-assigned managed identity is everything Warden is: the bot's app id (Azure Bot, UserAssignedMSI),
// its Graph and Power Platform identity, and its access to the table. Nothing here holds a key or a password.
// Written for the Bicep version teamsapp.yml pins (v0.9.1): multi-line objects and arrays only.

@minLength(4)
@maxLength(20)
@description('Names every resource (lower-case letters and digits). The Toolkit passes warden plus RESOURCE_SUFFIX.')
param resourceBaseName string

@maxLength(42)
@description('The bot\'s display name in the Azure Bot resource.')
param botDisplayName string = 'Warden'

param location string = resourceGroup().location

@description('App Service plan SKU (WEB_APP_SKU): B1 or higher, since Always On is not available on Free or Shared.')
param webAppSku string = 'B1'

@minValue(1)
@maxValue(10)
@description('Instances of the Web App. They share the table; leases make each scheduled round run once.')
param instanceCount int = 1

// A GUID is 36 characters: an APPROVERS_GROUP_ID or EXCEPTION_GROUP_ID left empty in env/.env.dev reaches this
// file as the literal placeholder and fails the deployment here, before any resource changes.
@minLength(36)
@maxLength(36)
@description('Object id of the Entra security group whose members approve (APPROVERS_GROUP_ID).')
param approversGroupId string

@minLength(36)
@maxLength(36)
@description('Object id of the Entra group your MFA Conditional Access policies exclude (EXCEPTION_GROUP_ID).')
param exceptionGroupId string

@description('Optional: application (client) id of the app whose Dataverse application user takes moved flows over (FLOW_APP_ID).')
param flowAppId string = ''

@allowed([
  'report-only'
  'enforce'
])
@description('report-only records and alerts but writes nothing; enforce carries out approved decisions.')
param mode string = 'report-only'

// The Toolkit replaces a ${{VAR}} only when VAR has a value, so an empty FLOW_APP_ID arrives unreplaced.
var flowAppIdSetting = startsWith(flowAppId, '\${{') ? '' : flowAppId
var tableName = 'warden'
// Built-in role "Storage Table Data Contributor": read, write and delete table entities (no keys involved).
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: resourceBaseName
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: '${resourceBaseName}-logs'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${resourceBaseName}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: replace(toLower('st${resourceBaseName}'), '-', '')
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // Entra ID only: no account key and no SAS can reach the data.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-01-01' = {
  parent: storage
  name: 'default'
}

resource table 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-01-01' = {
  parent: tableService
  name: tableName
}

resource tableAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2022-09-01' = {
  name: resourceBaseName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2022-09-01' = {
  name: resourceBaseName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Bot Framework and Graph need no session affinity, and instances share all state through the table.
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      // node itself, not npm start: SIGTERM reaches Warden, which drains before the instance stops.
      appCommandLine: 'node dist/index.js'
      alwaysOn: true
      healthCheckPath: '/healthz'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      remoteDebuggingEnabled: false
    }
  }
}

// Warden's settings, named as src/config.ts reads them. A separate resource, so that PUBLIC_URL can use the
// Web App's host name. Provision replaces all app settings with these: change MODE in env/.env.dev, not only
// in the portal.
resource webAppSettings 'Microsoft.Web/sites/config@2022-09-01' = {
  parent: webApp
  name: 'appsettings'
  properties: {
    TENANT_ID: identity.properties.tenantId
    BOT_ID: identity.properties.clientId
    BOT_TYPE: 'UserAssignedMsi'
    CREDENTIAL: 'managed-identity'
    // @azure/identity's ManagedIdentityCredential picks the user-assigned identity by its client id.
    AZURE_CLIENT_ID: identity.properties.clientId
    APPROVERS_GROUP_ID: approversGroupId
    EXCEPTION_GROUP_ID: exceptionGroupId
    FLOW_APP_ID: flowAppIdSetting
    MODE: mode
    STORE: 'azure-tables'
    TABLES_ENDPOINT: storage.properties.primaryEndpoints.table
    TABLES_NAME: tableName
    PUBLIC_URL: 'https://${webApp.properties.defaultHostName}'
    // An ingestion connection string (where to send telemetry), not a credential.
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    // App Service's own: run the uploaded zip as it is; the Toolkit's deploy stage has already built it.
    WEBSITE_RUN_FROM_PACKAGE: '1'
    SCM_DO_BUILD_DURING_DEPLOYMENT: 'false'
  }
}

// Warden logs JSON lines to stdout (pino); they land in the workspace next to the telemetry.
resource webAppDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: webApp
  properties: {
    workspaceId: logs.id
    logs: [
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
    ]
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: 'F0'
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: identity.properties.tenantId
    msaAppType: 'UserAssignedMSI'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// Written to env/.env.<env> by the Toolkit (https://aka.ms/teamsfx-actions/arm-deploy).
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output BOT_ID string = identity.properties.clientId
// The object id `npm run grant-permissions -- --identity` takes, and the client id of the Dataverse application user.
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
