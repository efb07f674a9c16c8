export * from './config/app-config';
export * from './countries/iso-country-registry';
export * from './database/embedded-postgres';
export * from './database/unavailable';
export * from './nest/infrastructure.module';
export * from './bootstrap';
